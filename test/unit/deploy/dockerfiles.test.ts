/**
 * Lints Dockerfile.webhook and Dockerfile.sidecar with the project's own checker (not hadolint),
 * proves the checker catches each bad pattern, and proves each image ships every file and only
 * production packages its entrypoint loads.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { shippedPolicies } from '../../node/harness/images.js';
import { lintDockerfile } from './dockerfile-lint.js';
import { walkImports } from './import-graph.js';

const ROOT = resolve(import.meta.dirname, '../../../..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

const GOOD = `FROM node:20.19-bookworm-slim AS deps
RUN npm ci --omit=dev
FROM gcr.io/distroless/nodejs20-debian12:nonroot
COPY --from=deps /app/node_modules ./node_modules
USER 65532:65532
ENTRYPOINT ["/nodejs/bin/node", "main.js"]
`;

describe('deploy: Dockerfile lint (project check, not hadolint)', () => {
  const images = [
    { file: 'Dockerfile.webhook', entrypoint: ['/nodejs/bin/node'], cmd: '["dist/webhook/cli.js", "serve"]' },
    { file: 'Dockerfile.sidecar', entrypoint: ['/nodejs/bin/node', 'dist/sidecar/main.js'], cmd: '["run"]' },
  ];
  for (const img of images) {
    it(`${img.file} passes every rule`, () => {
      assert.deepEqual(lintDockerfile(read(img.file), { entrypoint: img.entrypoint }), []);
    });
    it(`${img.file} runs ${img.cmd} by default`, () => {
      assert.match(read(img.file), new RegExp(`^CMD ${img.cmd.replace(/[[\]]/g, '\\$&')}$`, 'm'));
    });
  }

  it('the reference good Dockerfile has no findings', () => {
    assert.deepEqual(lintDockerfile(GOOD), []);
  });

  const bad: { name: string; input: string; want: string }[] = [
    { name: 'single stage', input: 'FROM gcr.io/distroless/nodejs20-debian12:nonroot\nUSER 65532\n', want: 'multi-stage' },
    { name: 'untagged FROM', input: GOOD.replace('node:20.19-bookworm-slim', 'node'), want: 'from-pinned' },
    { name: 'latest FROM', input: GOOD.replace('node:20.19-bookworm-slim', 'node:latest'), want: 'no-latest' },
    { name: 'root user', input: GOOD.replace('USER 65532:65532', 'USER root'), want: 'non-root' },
    { name: 'no USER', input: GOOD.replace('USER 65532:65532\n', ''), want: 'non-root' },
    { name: 'shell-form entrypoint', input: GOOD.replace('ENTRYPOINT ["/nodejs/bin/node", "main.js"]', 'ENTRYPOINT node main.js'), want: 'exec-form' },
    { name: 'dev dependencies shipped', input: GOOD.replace('npm ci --omit=dev', 'npm ci'), want: 'prod-deps' },
    { name: 'npm install', input: GOOD.replace('npm ci --omit=dev', 'npm install --omit=dev'), want: 'npm-ci' },
    { name: 'shell in runtime image', input: GOOD.replace('gcr.io/distroless/nodejs20-debian12:nonroot', 'node:20.19-bookworm-slim'), want: 'no-shell' },
    { name: 'RUN in runtime stage', input: GOOD.replace('USER 65532:65532', 'RUN chmod -R a+r /app\nUSER 65532:65532'), want: 'no-shell' },
    { name: 'ADD instead of COPY', input: GOOD.replace('COPY --from', 'ADD --from'), want: 'no-add' },
    { name: 'wrong entrypoint', input: GOOD, want: 'entrypoint' },
  ];
  for (const row of bad) {
    it(`catches: ${row.name}`, () => {
      const opts = row.want === 'entrypoint' ? { entrypoint: ['/nodejs/bin/node', 'other.js'] } : {};
      const rules = lintDockerfile(row.input, opts).map((f) => f.rule);
      assert.ok(rules.includes(row.want), `want ${row.want}, got ${JSON.stringify(rules)}`);
    });
  }
});

describe('deploy: image contents', () => {
  const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
  const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  // What each image ships of dist/: the targets of its COPY --from=build lines.
  const shippedBy = (dockerfile: string) =>
    [...read(dockerfile).matchAll(/^COPY --from=build \/src\/(dist\/\S+) /gm)].map((m) => m[1]!.replace(/\/$/, ''));
  const rows = [
    { name: 'webhook', entry: 'dist/webhook/cli.js', shipped: shippedBy('Dockerfile.webhook') },
    { name: 'sidecar', entry: 'dist/sidecar/main.js', shipped: shippedBy('Dockerfile.sidecar') },
  ];
  for (const row of rows) {
    it(`${row.name}: every module its entrypoint loads is copied into the image`, function () {
      if (!existsSync(join(ROOT, row.entry))) this.skip();
      const graph = walkImports(join(ROOT, row.entry));
      assert.deepEqual(graph.missing, []);
      assert.ok(row.shipped.length > 0, 'the Dockerfile copies compiled code');
      const outside = [...graph.files].map((f) => relative(ROOT, f)).filter((f) => !row.shipped.some((d) => f === d || f.startsWith(`${d}/`)));
      assert.deepEqual(outside, [], `modules outside ${row.shipped.join(', ')} would be missing from the image`);
      assert.ok(graph.files.size > 3, 'the walk found the entrypoint and its imports');
    });
    it(`${row.name}: every package it imports is a production dependency`, function () {
      if (!existsSync(join(ROOT, row.entry))) this.skip();
      const notProd = [...walkImports(join(ROOT, row.entry)).packages].filter((p) => !(p in pkg.dependencies));
      assert.deepEqual(notProd, [], 'these would be missing after npm ci --omit=dev');
    });
  }
  for (const needed of ['package.json', 'package-lock.json', 'tsconfig.json', 'contract', 'webhook', 'sidecar', 'policies']) {
    it(`.dockerignore keeps ${needed} in the build context`, () => {
      assert.ok(!ignored.includes(needed), `${needed} is ignored but the Dockerfiles COPY it`);
    });
  }
  it('the webhook image ships the default policies and no example store, tenant or schema', () => {
    // the same reading of the COPY line the node tier's image builder uses
    const sources = shippedPolicies(read('Dockerfile.webhook'));
    assert.ok(sources.length > 0, 'a COPY policies/... line');
    const kinds = new Set<string>();
    for (const src of sources) {
      assert.ok(existsSync(join(ROOT, src)) && src.endsWith('.yaml'), `${src} is a file`);
      for (const m of read(src).matchAll(/^kind:\s*(\S+)/gm)) kinds.add(m[1]!);
    }
    assert.deepEqual([...kinds], ['ConfigPolicy'], 'only policies: a shipped store or tenant would shadow the cluster\'s own');
    for (const p of ['policies/cluster-baseline.yaml', 'policies/environments.yaml']) assert.ok(sources.includes(p), `${p} is shipped`);
  });

  it('.dockerignore keeps secrets and local state out of the build context', () => {
    for (const p of ['.git', 'node_modules', '.bulwark', '.env', '**/*.key']) assert.ok(ignored.includes(p), p);
  });
});
