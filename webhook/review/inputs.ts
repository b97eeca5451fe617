/**
 * Collects manifests for `bulwark review` from a file, a directory (recursively: *.yaml, *.yml, *.json)
 * or standard input.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BulwarkError } from '../errors.js';
import { parseManifests, type ManifestObject } from '../util/manifests.js';

const MANIFEST_RE = /\.(ya?ml|json)$/i;

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (MANIFEST_RE.test(e.name)) out.push(p);
  }
  return out;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads every object from the inputs; throws BulwarkError(INPUT_INVALID) naming the file and document. */
export async function readInputs(inputs: string[]): Promise<ManifestObject[]> {
  const out: ManifestObject[] = [];
  for (const input of inputs) {
    if (input === '-') {
      out.push(...parseManifests(await readStdin(), '<stdin>'));
      continue;
    }
    let st;
    try {
      st = await stat(input);
    } catch {
      throw new BulwarkError('INPUT_INVALID', `${input}: no such file or directory`, { source: input });
    }
    const files = st.isDirectory() ? await filesUnder(input) : [input];
    for (const f of files) out.push(...parseManifests(await readFile(f, 'utf8'), f));
  }
  return out;
}
