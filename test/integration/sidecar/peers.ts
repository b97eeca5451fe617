/**
 * Starts real test peers (moto, OpenBao/Vault, Consul, the GCP Secret Manager emulator,
 * lowkey-vault) on free 127.0.0.1 ports in dev mode, and tears them down with their temp dirs.
 * Binaries come from ~/.cache/bulwark/peers/peers.json (written by test/peers/install.sh), or PATH.
 * A missing peer skips the test with the install command, or fails it when CI=true.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/** The peers this suite knows, with the peers.json keys and PATH names each may go by. */
export const PEER_NAMES = {
  moto: { keys: ['moto', 'moto_server', 'moto-server'], path: ['moto_server'] },
  openbao: { keys: ['openbao', 'bao', 'vault'], path: ['bao', 'vault'] },
  consul: { keys: ['consul'], path: ['consul'] },
  gcp: { keys: ['gcp-secret-manager-emulator', 'gcp-secret-manager', 'gcp-sm-emulator', 'server-dual'], path: [] as string[] },
  'lowkey-vault': { keys: ['lowkey-vault', 'lowkey-vault-app', 'lowkey-vault-jar'], path: [] as string[] },
} as const;
/** A peer this suite can start. */
export type PeerName = keyof typeof PEER_NAMES;

/** A running peer. */
export interface Peer {
  name: PeerName;
  url: string;
  port: number;
  dir: string;
  extra: Record<string, string>;
  /** Kills the process (the store goes down) but keeps the temp dir. */
  kill(): Promise<void>;
  /** Starts the process again on the same port. */
  restart(): Promise<void>;
  /** Kills the process and removes the temp dir. */
  stop(): Promise<void>;
}

function peersJson(): Record<string, string> {
  const dir = process.env.BULWARK_PEERS_DIR ?? join(homedir(), '.cache', 'bulwark', 'peers');
  try {
    return JSON.parse(readFileSync(join(dir, 'peers.json'), 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

function onPath(bin: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The binary (or jar) of a peer, or undefined when it is not installed. */
export function peerBinary(name: PeerName): string | undefined {
  const json = peersJson();
  for (const k of PEER_NAMES[name].keys) {
    const v = json[k];
    if (typeof v === 'string' && existsSync(v)) return v;
  }
  for (const b of PEER_NAMES[name].path) {
    const p = onPath(b);
    if (p) return p;
  }
  return undefined;
}

/**
 * Peers that no registry this project can reach serves, with the evidence; their tests are skipped
 * loudly (also in CI) until one does. test/peers/README.md has the details.
 */
export const UNAVAILABLE_PEERS: Partial<Record<PeerName, string>> = {
  'lowkey-vault':
    'BLOCKED: Maven Central serves com.github.nagyesta.lowkey-vault:lowkey-vault-client and -testcontainers but not lowkey-vault-app (the runnable server); the testcontainers module needs a Docker engine',
};

/** Returns the peer's binary, or skips the test (fails it with CI=true) naming the install command. */
export function requirePeer(ctx: Mocha.Context, name: PeerName): string {
  const bin = peerBinary(name);
  if (bin) return bin;
  const blocked = UNAVAILABLE_PEERS[name];
  if (blocked) {
    console.log(`      (skipped, peer ${name} unavailable here: ${blocked})`);
    ctx.skip();
  }
  const msg = `peer ${name} is not installed; run \`bash test/peers/install.sh ${name}\``;
  if (process.env.CI === 'true') throw new Error(msg);
  console.log(`      (skipped: ${msg})`);
  ctx.skip();
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, timeoutMs: number, proc: ChildProcess, init: RequestInit = {}, probe?: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (proc.exitCode !== null) throw new Error(`peer exited with code ${proc.exitCode} before it was ready (${url})`);
    try {
      if (probe) {
        if (await probe()) return;
      } else if ((await fetch(url, { ...init, signal: AbortSignal.timeout(1000) })).status < 500) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`peer at ${url} not ready after ${timeoutMs} ms`);
}

interface Launch {
  cmd: string;
  args: string[];
  ready: string;
  env?: Record<string, string>;
  readyInit?: RequestInit;
  timeoutMs?: number;
  /** A custom readiness check used instead of fetching `ready` (e.g. TLS with a private CA). */
  probe?: () => Promise<boolean>;
}

async function launch(name: PeerName, dir: string, port: number, build: (port: number, dir: string) => Launch, extra: Record<string, string> = {}): Promise<Peer> {
  let proc: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const l = build(port, dir);
    proc = spawn(l.cmd, l.args, { cwd: dir, detached: true, stdio: 'ignore', env: { ...process.env, ...l.env } });
    await waitReady(l.ready, l.timeoutMs ?? 30_000, proc, l.readyInit, l.probe);
  };
  const kill = async (): Promise<void> => {
    const p = proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    try {
      process.kill(-p.pid!, 'SIGKILL');
    } catch {
      p.kill('SIGKILL');
    }
    await exited;
  };
  const peer: Peer = {
    name,
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    extra,
    kill,
    restart: start,
    stop: async () => {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await start();
  } catch (err) {
    await peer.stop();
    throw err;
  }
  return peer;
}

/** Starts moto's server (AWS SSM, Secrets Manager, ...). */
export async function startMoto(bin: string): Promise<Peer> {
  const dir = await mkdtemp(join(tmpdir(), 'bulwark-moto-'));
  const port = await freePort();
  return launch('moto', dir, port, (p) => ({ cmd: bin, args: ['-H', '127.0.0.1', '-p', String(p)], ready: `http://127.0.0.1:${p}/moto-api/` }));
}

/** Starts OpenBao (or Vault) in dev mode with root token "root" (KV v2 at secret/); with tls, on HTTPS with extra.caFile. */
export async function startBao(bin: string, tls = false): Promise<Peer> {
  const dir = await mkdtemp(join(tmpdir(), 'bulwark-bao-'));
  const port = await freePort();
  const caFile = join(dir, 'vault-ca.pem');
  const probe = async (): Promise<boolean> => {
    const { request } = await import('node:https');
    const ca = readFileSync(caFile);
    return new Promise((resolve) => {
      const r = request(`https://127.0.0.1:${port}/v1/sys/health`, { ca, timeout: 1000 }, (res) => {
        res.resume();
        resolve((res.statusCode ?? 500) < 500);
      });
      r.on('error', () => resolve(false));
      r.end();
    });
  };
  const peer = await launch(
    'openbao',
    dir,
    port,
    (p) => ({
      cmd: bin,
      args: ['server', '-dev', '-dev-root-token-id=root', `-dev-listen-address=127.0.0.1:${p}`, ...(tls ? ['-dev-tls', `-dev-tls-cert-dir=${dir}`] : [])],
      ready: `http://127.0.0.1:${p}/v1/sys/health`,
      env: { HOME: dir },
      ...(tls ? { probe } : {}),
    }),
    tls ? { token: 'root', caFile } : { token: 'root' },
  );
  return tls ? { ...peer, url: `https://127.0.0.1:${port}` } : peer;
}

/** Starts a Consul dev agent with HTTP on a free port (DNS off, other ports free too); with `aclToken`, ACLs default-deny and that token is the management token. */
export async function startConsul(bin: string, aclToken?: string): Promise<Peer> {
  const dir = await mkdtemp(join(tmpdir(), 'bulwark-consul-'));
  const port = await freePort();
  const [serf1, serf2, server, grpc] = [await freePort(), await freePort(), await freePort(), await freePort()];
  return launch('consul', dir, port, (p) => ({
    cmd: bin,
    args: ['agent', '-dev', '-client=127.0.0.1', '-bind=127.0.0.1', '-dns-port=-1', `-http-port=${p}`, `-serf-lan-port=${serf1}`, `-serf-wan-port=${serf2}`, `-server-port=${server}`, `-grpc-port=${grpc}`, '-grpc-tls-port=-1', ...(aclToken ? ['-hcl', `acl { enabled = true\ndefault_policy = "deny"\ntokens { initial_management = "${aclToken}" } }`] : [])],
    ready: `http://127.0.0.1:${p}/v1/status/leader`,
  }), aclToken ? { token: aclToken } : {});
}

/** Starts the GCP Secret Manager emulator (REST on a free port). */
export async function startGcp(bin: string): Promise<Peer> {
  const dir = await mkdtemp(join(tmpdir(), 'bulwark-gcp-'));
  const port = await freePort();
  const grpc = await freePort();
  return launch('gcp', dir, port, (p) => ({ cmd: bin, args: [`--http-port=${p}`, `--grpc-port=${grpc}`], ready: `http://127.0.0.1:${p}/v1/projects/p/secrets` }));
}

/** Creates a secret (if needed) and adds a version through the emulator's REST API; returns the version number. */
export async function gcpAddVersion(url: string, project: string, secret: string, value: string): Promise<string> {
  await fetch(`${url}/v1/projects/${project}/secrets?secretId=${secret}`, { method: 'POST', body: JSON.stringify({ replication: { automatic: {} } }) });
  const res = await fetch(`${url}/v1/projects/${project}/secrets/${secret}:addVersion`, { method: 'POST', body: JSON.stringify({ payload: { data: Buffer.from(value).toString('base64') } }) });
  if (!res.ok) throw new Error(`addVersion: HTTP ${res.status}`);
  return ((await res.json()) as { name: string }).name.split('/').pop()!;
}

/** Starts lowkey-vault (Azure Key Vault) from its runnable jar over HTTPS on a free port; extra.caFile holds its self-signed certificate. */
export async function startLowkey(jar: string): Promise<Peer> {
  const dir = await mkdtemp(join(tmpdir(), 'bulwark-lowkey-'));
  const port = await freePort();
  const prevTls = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // only for the readiness probe below
  try {
    const peer = await launch(
      'lowkey-vault',
      dir,
      port,
      (p) => ({ cmd: 'java', args: ['-jar', jar, `--server.port=${p}`, '--LOWKEY_VAULT_RELAXED_PORTS=true'], ready: `https://localhost:${p}/ping`, timeoutMs: 90_000 }),
      { caFile: join(dir, 'ca.pem') },
    );
    const { connect } = await import('node:tls');
    const pem = await new Promise<string>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false }, () => {
        const raw = s.getPeerCertificate().raw;
        s.end();
        resolve(`-----BEGIN CERTIFICATE-----\n${raw.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`);
      });
      s.once('error', reject);
    });
    const { writeFile } = await import('node:fs/promises');
    await writeFile(peer.extra.caFile!, pem);
    return { ...peer, url: `https://localhost:${port}` };
  } finally {
    if (prevTls === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = prevTls;
  }
}
