/**
 * Locates the repository from compiled test code (dist/test/e2e/harness/*.js) or from the sources.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'deploy'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

/** The repository root. */
export const REPO_ROOT = findRoot();

/** An absolute path inside the repository. */
export function repoPath(rel: string): string {
  return resolve(REPO_ROOT, rel);
}
