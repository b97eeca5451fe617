/**
 * Walks the static import graph of compiled ES modules, so a test can prove an image ships every
 * file its entrypoint loads and only production packages.
 */
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';

/** The files reached from an entrypoint and the bare package names they import. */
export interface ImportGraph {
  files: Set<string>;
  packages: Set<string>;
  missing: string[];
}

const IMPORT_RE = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;(])import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;
const BUILTINS = new Set(builtinModules);

/** Returns the package name of a bare specifier ('@scope/name/sub' -> '@scope/name'). */
export function packageOf(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Lists the module specifiers of one compiled file (type-only imports are already gone in JS). */
export function specifiersOf(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(IMPORT_RE)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

/** Follows relative imports from an entry file; records bare packages that are not Node built-ins. */
export function walkImports(entry: string): ImportGraph {
  const graph: ImportGraph = { files: new Set(), packages: new Set(), missing: [] };
  const queue = [resolve(entry)];
  while (queue.length) {
    const file = queue.pop()!;
    if (graph.files.has(file)) continue;
    if (!existsSync(file)) {
      graph.missing.push(file);
      continue;
    }
    graph.files.add(file);
    for (const spec of specifiersOf(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec));
      else if (!spec.startsWith('node:') && !BUILTINS.has(packageOf(spec))) graph.packages.add(packageOf(spec));
    }
  }
  return graph;
}
