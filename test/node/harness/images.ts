/**
 * Offline OCI images for the node tier, built without a Docker engine: the same file layout as
 * Dockerfile.webhook and Dockerfile.sidecar (Node.js at /nodejs/bin/node, the app under /app, user
 * 65532, no shell), plus the pause image and the sample app. Layers are plain tar files made with
 * GNU tar (root-owned, mtime 0, sorted), written as an OCI image layout and imported into
 * containerd with `ctr images import`. The Node.js binary and the shared libraries it links are
 * the host's: the node tier runs on the same machine, so the runtime in the image is the one the
 * unit tests ran on.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The image references deploy/base and the webhook's --sidecar-image default name. */
export const IMAGES = {
  webhook: 'ghcr.io/bulwark-dev/bulwark-webhook:0.1.0',
  sidecar: 'ghcr.io/bulwark-dev/bulwark-sidecar:0.1.0',
  pause: 'bulwark.local/pause:e2e',
  app: 'bulwark.local/sample-app:e2e',
} as const;

/** The non-root user of the images, as in the distroless nonroot base. */
export const IMAGE_USER = 65532;

/** One layer: files copied from the host into a root directory, tarred. */
interface LayerFiles {
  /** Destination path in the image → source path on the host (file or directory). */
  copy: Array<[string, string]>;
  /** Extra files written verbatim: destination → content. */
  write?: Array<[string, string, number?]>;
  /** Empty directories to create: destination → mode. */
  dirs?: Array<[string, number]>;
}

/** Image configuration fields (the OCI image config's `config`). */
interface ImageConfig {
  Entrypoint: string[];
  Cmd?: string[];
  User: string;
  WorkingDir: string;
  Env: string[];
}

async function sha256File(path: string): Promise<{ digest: string; size: number }> {
  const h = createHash('sha256');
  await new Promise<void>((resolve, reject) => {
    createReadStream(path).on('data', (c) => h.update(c)).on('end', resolve).on('error', reject);
  });
  return { digest: `sha256:${h.digest('hex')}`, size: (await stat(path)).size };
}

/** Writes a JSON blob into the layout and returns its descriptor fields. */
async function jsonBlob(layout: string, value: unknown): Promise<{ digest: string; size: number }> {
  const data = Buffer.from(JSON.stringify(value));
  const hex = createHash('sha256').update(data).digest('hex');
  await writeFile(join(layout, 'blobs', 'sha256', hex), data);
  return { digest: `sha256:${hex}`, size: data.length };
}

/** Layers already built in this run (the base and dependency layers are shared by three images). */
const built = new WeakMap<LayerFiles, Promise<{ digest: string; size: number; path: string }>>();

/** A layer's blob in the layout: built once per run, then hard-linked into every layout using it. */
async function tarLayer(layout: string, work: string, files: LayerFiles): Promise<{ digest: string; size: number }> {
  let p = built.get(files);
  if (!p) built.set(files, (p = buildLayer(work, files)));
  const d = await p;
  await run('ln', ['-f', d.path, join(layout, 'blobs', 'sha256', d.digest.slice(7))]);
  return { digest: d.digest, size: d.size };
}

/** Builds a reproducible tar layer from the given files. */
async function buildLayer(work: string, files: LayerFiles): Promise<{ digest: string; size: number; path: string }> {
  const root = await mkdtemp(join(work, 'layer-'));
  for (const [dest, src] of files.copy) {
    const to = join(root, dest);
    await mkdir(dirname(to), { recursive: true });
    // dereference: the dynamic loader and libraries are symlinks on the host
    await cp(src, to, { recursive: true, dereference: true, preserveTimestamps: false });
  }
  for (const [dest, content, mode] of files.write ?? []) {
    const to = join(root, dest);
    await mkdir(dirname(to), { recursive: true });
    await writeFile(to, content, { mode: mode ?? 0o644 });
  }
  for (const [dest, mode] of files.dirs ?? []) {
    await mkdir(join(root, dest), { recursive: true });
    await chmod(join(root, dest), mode);
  }
  // Readable by every user (the containers run as non-root users); never writable by them.
  await run('chmod', ['-R', 'a+rX,go-w', root]);
  for (const [dest, mode] of files.dirs ?? []) await chmod(join(root, dest), mode);
  const tar = join(work, `${root.split('/').pop()}.tar`);
  await run('tar', ['-C', root, '--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '-cf', tar, '.'], { maxBuffer: 1 << 20 });
  const d = await sha256File(tar);
  await rm(root, { recursive: true, force: true });
  return { ...d, path: tar };
}

/** Writes one image (an OCI image layout directory, tarred) and returns the archive path. */
async function writeImage(work: string, ref: string, layers: LayerFiles[], config: ImageConfig): Promise<string> {
  const layout = await mkdtemp(join(work, 'oci-'));
  await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
  const descs = [];
  for (const l of layers) descs.push(await tarLayer(layout, work, l));
  const cfg = await jsonBlob(layout, {
    architecture: 'amd64',
    os: 'linux',
    config: config,
    rootfs: { type: 'layers', diff_ids: descs.map((d) => d.digest) },
    history: descs.map(() => ({ created_by: 'bulwark test/node/harness/images.ts', created: '1970-01-01T00:00:00Z' })),
  });
  const manifest = await jsonBlob(layout, {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...cfg },
    layers: descs.map((d) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...d })),
  });
  await writeFile(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          platform: { architecture: 'amd64', os: 'linux' },
          annotations: { 'io.containerd.image.name': ref, 'org.opencontainers.image.ref.name': ref.split(':').pop() },
        },
      ],
    }),
  );
  const archive = `${layout}.tar`;
  await run('tar', ['-C', layout, '-cf', archive, '.']);
  await rm(layout, { recursive: true, force: true });
  return archive;
}

/** The files Dockerfile.webhook copies from policies/ (one list: the node tier ships what the image ships). */
export function shippedPolicies(dockerfile: string): string[] {
  const line = dockerfile.split('\n').find((l) => /^COPY\s+policies\//.test(l));
  if (!line) throw new Error('Dockerfile.webhook has no COPY policies/... line');
  const parts = line.trim().split(/\s+/).slice(1);
  parts.pop(); // the destination
  return parts;
}

/** The shared libraries a binary links (from ldd), the dynamic loader included. */
async function sharedLibraries(binary: string): Promise<string[]> {
  const { stdout } = await run('ldd', [binary]);
  const libs = new Set<string>();
  for (const line of stdout.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) libs.add(m[1]!);
  }
  return [...libs].sort();
}

const PASSWD = 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\napp:x:10001:10001:app:/home/app:/sbin/nologin\n';
const GROUP = 'root:x:0:\nnonroot:x:65532:\napp:x:10001:\n';

/** The distroless-like base layer: Node.js at /nodejs/bin/node, its libraries, passwd, /tmp. */
async function nodeBaseLayer(): Promise<LayerFiles> {
  const node = process.execPath;
  return {
    copy: [['nodejs/bin/node', node], ...(await sharedLibraries(node)).map((l) => [l.slice(1), l] as [string, string])],
    write: [
      ['etc/passwd', PASSWD],
      ['etc/group', GROUP],
    ],
    dirs: [
      ['tmp', 0o1777],
      ['home/nonroot', 0o755],
    ],
  };
}

/**
 * Production node_modules (npm ci --omit=dev, from npm's cache), built once per lockfile into
 * cacheDir and reused, with the same files dropped as in the Dockerfiles.
 */
export async function productionModules(repo: string, cacheDir: string, log: (m: string) => void): Promise<string> {
  const lock = await readFile(join(repo, 'package-lock.json'));
  const key = createHash('sha256').update(lock).update(await readFile(join(repo, 'package.json'))).digest('hex').slice(0, 16);
  const dir = join(cacheDir, `prod-modules-${key}`);
  if (existsSync(join(dir, '.complete'))) return join(dir, 'node_modules');
  log('installing production node_modules for the images (npm ci --omit=dev --prefer-offline)...');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await cp(join(repo, 'package.json'), join(dir, 'package.json'));
  await cp(join(repo, 'package-lock.json'), join(dir, 'package-lock.json'));
  await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir, maxBuffer: 16 << 20 });
  await run('find', ['node_modules', '-type', 'f', '(', '-name', '*.map', '-o', '-name', '*.d.ts', '-o', '-name', '*.d.mts', '-o', '-name', '*.d.cts', '-o', '-name', '*.md', ')', '-delete'], { cwd: dir });
  await writeFile(join(dir, '.complete'), new Date().toISOString());
  return join(dir, 'node_modules');
}

/** Compiles the pause program (test/node/images/pause.c) statically with the host's C compiler. */
async function buildPause(repo: string, work: string): Promise<string> {
  const out = join(work, 'pause');
  await run('cc', ['-Os', '-static', '-Wall', '-Werror', '-o', out, join(repo, 'test/node/images/pause.c')]);
  await run('strip', [out]);
  return out;
}

/** Builds every image of the node tier and returns ref → archive path. */
export async function buildImages(repo: string, work: string, cacheDir: string, log: (m: string) => void): Promise<Record<keyof typeof IMAGES, string>> {
  await mkdir(work, { recursive: true });
  const base = await nodeBaseLayer();
  const modules = await productionModules(repo, cacheDir, log);
  const deps: LayerFiles = {
    copy: [
      ['app/node_modules', modules],
      ['app/package.json', join(repo, 'package.json')],
    ],
  };
  const env = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/nodejs/bin', 'NODE_ENV=production'];
  const user = `${IMAGE_USER}:${IMAGE_USER}`;
  // Dockerfile.webhook: dist/webhook, dist/sidecar, the default policies.
  const policies = shippedPolicies(await readFile(join(repo, 'Dockerfile.webhook'), 'utf8')).map((p) => [`app/${p}`, join(repo, p)] as [string, string]);
  const webhook = await writeImage(work, IMAGES.webhook, [
    base,
    deps,
    { copy: [['app/dist/webhook', join(repo, 'dist/webhook')], ['app/dist/sidecar', join(repo, 'dist/sidecar')], ['app/dist/contract', join(repo, 'dist/contract')], ...policies] },
  ], {
    Entrypoint: ['/nodejs/bin/node'],
    Cmd: ['dist/webhook/cli.js', 'serve'],
    User: user,
    WorkingDir: '/app',
    Env: [...env, 'BULWARK_ADDRESS=0.0.0.0', 'BULWARK_POLICIES_DIR=/app/policies'],
  });
  // Dockerfile.sidecar: dist/sidecar and the one webhook module it runs.
  const sidecar = await writeImage(work, IMAGES.sidecar, [
    base,
    deps,
    { copy: [['app/dist/sidecar', join(repo, 'dist/sidecar')], ['app/dist/contract', join(repo, 'dist/contract')], ['app/dist/webhook/certs/generate.js', join(repo, 'dist/webhook/certs/generate.js')]] },
  ], { Entrypoint: ['/nodejs/bin/node', 'dist/sidecar/main.js'], Cmd: ['run'], User: user, WorkingDir: '/app', Env: env });
  const pauseBin = await buildPause(repo, work);
  const pause = await writeImage(work, IMAGES.pause, [{ copy: [['pause', pauseBin]] }], { Entrypoint: ['/pause'], User: '65535:65535', WorkingDir: '/', Env: [] });
  // The sample app of the sidecar tests (test/sample-app), run as an unprivileged user of its own.
  const app = await writeImage(work, IMAGES.app, [base, deps, { copy: [['app/dist/test/sample-app', join(repo, 'dist/test/sample-app')]] }], {
    Entrypoint: ['/nodejs/bin/node', '/app/dist/test/sample-app/sample-app.js'],
    User: '10001:10001',
    WorkingDir: '/app',
    Env: env,
  });
  return { webhook, sidecar, pause, app };
}
