/**
 * `npm run bench`: runs every benchmark script in turn (each in its own process, so their figures do
 * not disturb each other) and prints their figures. Figures are printed, never asserted.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const SCRIPTS = ['admission-bench', 'inject-bench', 'policy-bench', 'sidecar-bench', 'hardening-bench', 'schema-bench'];

let failed = 0;
for (const name of SCRIPTS) {
  const path = `dist/test/bench/${name}.js`;
  if (!existsSync(path)) continue;
  console.log(`\n==> ${name}`);
  const r = spawnSync(process.execPath, [path], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`${name} exited with ${r.status}`);
  }
}
process.exit(failed ? 1 : 0);
