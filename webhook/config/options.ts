/**
 * Every setting of the webhook server: one table with flag, environment variable, default and meaning.
 * Settings are validated once at startup against one JSON Schema; the result is frozen.
 */
import { createAjv, formatAjvErrors } from '../../sidecar/spec/ajv.js';
import { BulwarkError } from '../errors.js';
import { parseDuration } from './duration.js';

/** The value types a setting can have. */
type SettingType = 'string' | 'integer' | 'boolean' | 'duration' | 'bytes' | 'enum';

/** One row of the settings table. */
export interface SettingDef {
  key: keyof ServerOptions;
  flag: string;
  env: string;
  type: SettingType;
  default: string | number | boolean | undefined;
  values?: readonly string[];
  doc: string;
}

/** The validated, frozen server settings. */
export interface ServerOptions {
  address: string;
  port: number;
  certDir: string | undefined;
  stateDir: string;
  policiesDir: string;
  namespacesFile: string | undefined;
  kubeconfig: string | undefined;
  cluster: 'auto' | 'none' | 'kubeconfig' | 'in-cluster';
  ownNamespace: string;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  maxBodyBytes: number;
  maxJsonDepth: number;
  maxJsonNodes: number;
  shutdownTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  maxConnectionsPerClient: number;
  sidecarImage: string;
  nativeSidecar: 'auto' | 'true' | 'false';
  volumeSizeLimit: string;
  maxFileBytes: number;
  sidecarCpuRequest: string;
  sidecarMemoryRequest: string;
  sidecarCpuLimit: string;
  sidecarMemoryLimit: string;
  labelAdminGroups: string;
  labelAdminUsers: string;
  driftScanIntervalMs: number;
}

/** The settings table; the README's configuration reference is generated from it. */
export const SETTINGS: readonly SettingDef[] = [
  { key: 'address', flag: '--address', env: 'BULWARK_ADDRESS', type: 'string', default: '127.0.0.1', doc: 'Address the HTTPS server binds to (use 0.0.0.0 in a pod).' },
  { key: 'port', flag: '--port', env: 'BULWARK_PORT', type: 'integer', default: 8443, doc: 'HTTPS port for /mutate, /validate, /healthz, /readyz and /metrics (0 picks a free port).' },
  { key: 'certDir', flag: '--cert-dir', env: 'BULWARK_CERT_DIR', type: 'string', default: undefined, doc: 'Directory with tls.crt and tls.key (as cert-manager writes them); watched and reloaded. Unset: a CA and certificate are generated into <state-dir>/certs.' },
  { key: 'stateDir', flag: '--state-dir', env: 'BULWARK_STATE_DIR', type: 'string', default: '.bulwark', doc: 'Local state directory for generated certificates in standalone mode.' },
  { key: 'policiesDir', flag: '--policies-dir', env: 'BULWARK_POLICIES_DIR', type: 'string', default: 'policies', doc: 'Directory of Bulwark documents (ConfigPolicy, ConfigSchema, SecretStore, Tenant), hot-reloaded.' },
  { key: 'namespacesFile', flag: '--namespaces-file', env: 'BULWARK_NAMESPACES_FILE', type: 'string', default: undefined, doc: 'YAML/JSON file of Namespace objects (or a List) used for namespace labels when no cluster is connected. Default: <policies-dir>/namespaces.yaml if present.' },
  { key: 'kubeconfig', flag: '--kubeconfig', env: 'KUBECONFIG', type: 'string', default: undefined, doc: 'Kubeconfig file; with it namespace metadata and referenced objects come from the API through informer caches.' },
  { key: 'cluster', flag: '--cluster', env: 'BULWARK_CLUSTER', type: 'enum', values: ['auto', 'none', 'kubeconfig', 'in-cluster'], default: 'auto', doc: 'Where cluster state comes from: auto (in-cluster if running in a pod, else --kubeconfig if set, else none), none (local files only), kubeconfig, in-cluster.' },
  { key: 'ownNamespace', flag: '--own-namespace', env: 'BULWARK_NAMESPACE', type: 'string', default: 'bulwark-system', doc: "Bulwark's own namespace; never injected, never validated." },
  { key: 'logLevel', flag: '--log-level', env: 'BULWARK_LOG_LEVEL', type: 'enum', values: ['error', 'warn', 'info', 'debug'], default: 'info', doc: 'Log level of the JSON logs on stderr.' },
  { key: 'maxBodyBytes', flag: '--max-body-bytes', env: 'BULWARK_MAX_BODY_BYTES', type: 'bytes', default: '6Mi', doc: 'Largest admission body accepted; larger bodies get 413.' },
  { key: 'maxJsonDepth', flag: '--max-json-depth', env: 'BULWARK_MAX_JSON_DEPTH', type: 'integer', default: 100, doc: 'Deepest JSON nesting accepted in an admission body.' },
  { key: 'maxJsonNodes', flag: '--max-json-nodes', env: 'BULWARK_MAX_JSON_NODES', type: 'integer', default: 1000000, doc: 'Most JSON values (objects, arrays and their items) accepted in an admission body, counted before parsing; more get 413. An UPDATE of a 75,000-key ConfigMap has about 450,000.' },
  { key: 'shutdownTimeoutMs', flag: '--shutdown-timeout', env: 'BULWARK_SHUTDOWN_TIMEOUT', type: 'duration', default: '20s', doc: 'On SIGTERM, how long in-flight requests may take before the process exits.' },
  { key: 'keepAliveTimeoutMs', flag: '--keep-alive-timeout', env: 'BULWARK_KEEP_ALIVE_TIMEOUT', type: 'duration', default: '65s', doc: 'Idle keep-alive timeout of HTTPS connections.' },
  { key: 'maxConnections', flag: '--max-connections', env: 'BULWARK_MAX_CONNECTIONS', type: 'integer', default: 1024, doc: 'Most open connections the HTTPS server holds; a connection beyond it is closed on arrival.' },
  { key: 'maxConnectionsPerClient', flag: '--max-connections-per-client', env: 'BULWARK_MAX_CONNECTIONS_PER_CLIENT', type: 'integer', default: 256, doc: 'Most open connections from one client address (the apiserver opens one per concurrent request); idle ones close after the 15 s header timeout.' },
  { key: 'sidecarImage', flag: '--sidecar-image', env: 'BULWARK_SIDECAR_IMAGE', type: 'string', default: 'ghcr.io/bulwark-dev/bulwark-sidecar:0.1.0', doc: 'Image of the injected bulwark-init and bulwark-sidecar containers.' },
  { key: 'nativeSidecar', flag: '--native-sidecar', env: 'BULWARK_NATIVE_SIDECAR', type: 'enum', values: ['auto', 'true', 'false'], default: 'auto', doc: 'Inject the sidecar as a native sidecar (init container with restartPolicy Always): auto = when the apiserver is Kubernetes >= 1.29.' },
  { key: 'volumeSizeLimit', flag: '--volume-size-limit', env: 'BULWARK_VOLUME_SIZE_LIMIT', type: 'string', default: '16Mi', doc: 'sizeLimit of the in-memory volume that holds rendered files.' },
  { key: 'maxFileBytes', flag: '--max-file-size', env: 'BULWARK_MAX_FILE_SIZE', type: 'bytes', default: '4Mi', doc: 'Largest file the sidecar writes; a larger render is refused and the last good content kept. The whole set may use half of --volume-size-limit (two version directories coexist during a swap).' },
  { key: 'sidecarCpuRequest', flag: '--sidecar-cpu-request', env: 'BULWARK_SIDECAR_CPU_REQUEST', type: 'string', default: '10m', doc: 'CPU request of the injected containers.' },
  { key: 'sidecarMemoryRequest', flag: '--sidecar-memory-request', env: 'BULWARK_SIDECAR_MEMORY_REQUEST', type: 'string', default: '48Mi', doc: 'Memory request of the injected containers.' },
  { key: 'sidecarCpuLimit', flag: '--sidecar-cpu-limit', env: 'BULWARK_SIDECAR_CPU_LIMIT', type: 'string', default: '200m', doc: 'CPU limit of the injected containers.' },
  { key: 'sidecarMemoryLimit', flag: '--sidecar-memory-limit', env: 'BULWARK_SIDECAR_MEMORY_LIMIT', type: 'string', default: '128Mi', doc: 'Memory limit of the injected containers.' },
  { key: 'labelAdminGroups', flag: '--label-admin-groups', env: 'BULWARK_LABEL_ADMIN_GROUPS', type: 'string', default: 'system:masters', doc: "Comma-separated groups allowed to change any namespace's bulwark.dev/tenant and bulwark.dev/environment labels (Tenant documents name their own admins)." },
  { key: 'labelAdminUsers', flag: '--label-admin-users', env: 'BULWARK_LABEL_ADMIN_USERS', type: 'string', default: '', doc: "Comma-separated users with the same right as --label-admin-groups." },
  { key: 'driftScanIntervalMs', flag: '--drift-scan-interval', env: 'BULWARK_DRIFT_SCAN_INTERVAL', type: 'duration', default: '10m', doc: 'With a cluster connection, how often the elected leader re-evaluates existing ConfigMaps and Secrets against the policies in force (policy drift: gauge bulwark_policy_drift_objects and PolicyDrift Events); 0 disables. At least 1s, at most 24h.' },
];

/** The bytes a Kubernetes quantity such as 16Mi, 1.5G or 64000 stands for (rounded down), or undefined when it is not one. */
export function quantityBytes(quantity: string): number | undefined {
  const m = QUANTITY_RE.exec(quantity.trim());
  return m ? Math.floor(Number(m[1]) * QUANTITY_SUFFIX[m[2] ?? '']!) : undefined;
}

/** The sidecar's size limits for a volume size and a per-file maximum: the set may use half the volume, a file no more than the set. */
export function sidecarSizeLimits(volumeSizeLimit: string, maxFileBytes: number): { fileBytes: number; totalBytes: number } {
  const totalBytes = Math.max(1, Math.floor((quantityBytes(volumeSizeLimit) ?? 16 * 1024 ** 2) / 2));
  return { fileBytes: Math.max(1, Math.min(maxFileBytes, totalBytes)), totalBytes };
}

/** Splits a comma-separated setting into its non-empty entries. */
export function listSetting(value: string): string[] {
  return value.split(',').map((v) => v.trim()).filter(Boolean);
}

const BYTES_RE = /^(\d+)(Ki|Mi|Gi)?$/;
const QUANTITY_RE = /^([0-9]+(?:\.[0-9]+)?)(m|Ki|Mi|Gi|k|M|G)?$/;
/** The multiplier of each quantity suffix QUANTITY_RE accepts (byte settings use the binary ones). */
const QUANTITY_SUFFIX: Record<string, number> = { '': 1, m: 0.001, k: 1e3, M: 1e6, G: 1e9, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };

const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    address: { type: 'string', minLength: 1 },
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    certDir: { type: 'string', minLength: 1 },
    stateDir: { type: 'string', minLength: 1 },
    policiesDir: { type: 'string', minLength: 1 },
    namespacesFile: { type: 'string', minLength: 1 },
    kubeconfig: { type: 'string', minLength: 1 },
    cluster: { enum: ['auto', 'none', 'kubeconfig', 'in-cluster'] },
    ownNamespace: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 },
    logLevel: { enum: ['error', 'warn', 'info', 'debug'] },
    maxBodyBytes: { type: 'integer', minimum: 1024, maximum: 64 * 1024 * 1024 },
    maxJsonDepth: { type: 'integer', minimum: 8, maximum: 10000 },
    maxJsonNodes: { type: 'integer', minimum: 1000, maximum: 100000000 },
    shutdownTimeoutMs: { type: 'integer', minimum: 0, maximum: 600000 },
    keepAliveTimeoutMs: { type: 'integer', minimum: 1000, maximum: 600000 },
    maxConnections: { type: 'integer', minimum: 1, maximum: 1000000 },
    maxConnectionsPerClient: { type: 'integer', minimum: 1, maximum: 1000000 },
    sidecarImage: { type: 'string', minLength: 1, pattern: '^[^\\s]+$' },
    nativeSidecar: { enum: ['auto', 'true', 'false'] },
    volumeSizeLimit: { type: 'string', pattern: QUANTITY_RE.source },
    maxFileBytes: { type: 'integer', minimum: 1 },
    sidecarCpuRequest: { type: 'string', pattern: QUANTITY_RE.source },
    sidecarMemoryRequest: { type: 'string', pattern: QUANTITY_RE.source },
    sidecarCpuLimit: { type: 'string', pattern: QUANTITY_RE.source },
    sidecarMemoryLimit: { type: 'string', pattern: QUANTITY_RE.source },
    labelAdminGroups: { type: 'string', maxLength: 4096 },
    labelAdminUsers: { type: 'string', maxLength: 4096 },
    // 0 disables the scan; otherwise between 1s and 24h.
    driftScanIntervalMs: { type: 'integer', minimum: 0, maximum: 86400000, if: { exclusiveMinimum: 0 }, then: { minimum: 1000 } },
  },
} as const;

const validate = createAjv().compile(SCHEMA);

function coerce(def: SettingDef, raw: string | number | boolean): unknown {
  if (typeof raw !== 'string') return raw;
  switch (def.type) {
    case 'integer':
      return /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'duration': {
      const ms = raw.trim() === '0' ? 0 : parseDuration(raw);
      if (ms === undefined) throw configError(def, raw, 'a duration such as 500ms, 20s or 1m');
      return ms;
    }
    case 'bytes': {
      const m = BYTES_RE.exec(raw.trim());
      if (!m) throw configError(def, raw, 'a size such as 6Mi, 512Ki or 1048576');
      return Number(m[1]) * QUANTITY_SUFFIX[m[2] ?? '']!;
    }
    default:
      return raw;
  }
}

function configError(def: SettingDef, raw: unknown, want: string): BulwarkError {
  return new BulwarkError('CONFIG_INVALID', `invalid setting ${def.flag} (${def.env}=${JSON.stringify(raw)}): must be ${want}`, {
    setting: def.flag,
  });
}

/**
 * BULWARK_* environment variables that are not server settings: the sidecar's own variables and the
 * test tooling's. Any other unknown BULWARK_* variable stops the start (it is probably a typo).
 */
export const FOREIGN_ENV_PREFIXES = [
  // the sidecar's own variables
  'BULWARK_SPEC', 'BULWARK_POD_', 'BULWARK_SIDECAR_PORT', 'BULWARK_CACHE_', 'BULWARK_AZURE_',
  // test and install tooling
  'BULWARK_E2E_', 'BULWARK_PEERS_', 'BULWARK_GO_', 'BULWARK_KIND_', 'BULWARK_ETCD', 'BULWARK_KUBECTL', 'BULWARK_KUBE_APISERVER',
  'BULWARK_HELM', 'BULWARK_PROMTOOL', 'BULWARK_CERT_MANAGER_CRDS', 'BULWARK_PROMETHEUS_OPERATOR_CRDS', 'BULWARK_TEST_',
];

const IP = String.raw`(?:\d{1,3}(?:\.\d{1,3}){3}|\[?[0-9a-fA-F:]+\]?)`;
/** The service-link variables kubelet writes for every Service of the pod's namespace (name pattern → value pattern). */
const SERVICE_LINK_SHAPES: Array<[RegExp, RegExp]> = [
  [/_SERVICE_HOST$/, new RegExp(`^${IP}$`)],
  [/_SERVICE_PORT(?:_[A-Z0-9_]+)?$/, /^\d{1,5}$/],
  [/_PORT$/, new RegExp(String.raw`^(?:tcp|udp|sctp)://${IP}:\d{1,5}$`)],
  [/_PORT_\d{1,5}_(?:TCP|UDP|SCTP)$/, new RegExp(String.raw`^(?:tcp|udp|sctp)://${IP}:\d{1,5}$`)],
  [/_PORT_\d{1,5}_(?:TCP|UDP|SCTP)_PROTO$/, /^(?:tcp|udp|sctp)$/],
  [/_PORT_\d{1,5}_(?:TCP|UDP|SCTP)_PORT$/, /^\d{1,5}$/],
  [/_PORT_\d{1,5}_(?:TCP|UDP|SCTP)_ADDR$/, new RegExp(`^${IP}$`)],
];

/**
 * True for a variable kubelet added because a Service whose name starts with "bulwark" exists in
 * the namespace (deploy/base's own bulwark-webhook Service gives BULWARK_WEBHOOK_PORT=tcp://...):
 * both the name and the value must have the service-link shape, so a mistyped setting still stops
 * the start. deploy/base also sets enableServiceLinks: false; this covers pods that do not.
 */
export function isServiceLinkVariable(name: string, value: string | undefined): boolean {
  return value !== undefined && SERVICE_LINK_SHAPES.some(([n, v]) => n.test(name) && v.test(value));
}

/** Throws CONFIG_INVALID naming the first BULWARK_* variable that is not a known setting. */
export function checkUnknownEnv(env: NodeJS.ProcessEnv): void {
  const known = new Set(SETTINGS.map((s) => s.env));
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith('BULWARK_') || known.has(name) || FOREIGN_ENV_PREFIXES.some((p) => name.startsWith(p))) continue;
    if (isServiceLinkVariable(name, env[name])) continue;
    throw new BulwarkError('CONFIG_INVALID', `unknown setting ${name} in the environment; the settings are ${SETTINGS.map((d) => d.env).join(', ')}`, { setting: name });
  }
}

/** The property commander stores a flag under: --drift-scan-interval -> driftScanInterval. */
export function flagProperty(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Resolves settings: flag value, else environment variable, else default. Validates the result and
 * throws BulwarkError(CONFIG_INVALID) naming the first bad setting.
 */
export function resolveOptions(flags: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Readonly<ServerOptions> {
  checkUnknownEnv(env);
  const out: Record<string, unknown> = {};
  for (const def of SETTINGS) {
    // Flags arrive under the setting's key or, from commander, under the camelCased flag name
    // (--shutdown-timeout -> shutdownTimeout, while the key is shutdownTimeoutMs).
    const fromFlag = flags[def.key] !== undefined ? flags[def.key] : flags[flagProperty(def.flag)];
    // BULWARK_PORT=tcp://10.96.0.7:443 is the service link of a Service named "bulwark", not a setting.
    const fromEnv = isServiceLinkVariable(def.env, env[def.env]) ? undefined : env[def.env];
    const raw = fromFlag !== undefined ? fromFlag : fromEnv !== undefined && fromEnv !== '' ? fromEnv : def.default;
    if (raw === undefined) continue;
    out[def.key] = coerce(def, raw as string | number | boolean);
  }
  if (!validate(out)) {
    const first = validate.errors![0]!;
    const key = first.instancePath.slice(1);
    const def = SETTINGS.find((d) => d.key === key);
    const detail = formatAjvErrors([first])[0]!.replace(/^\S+ /, '');
    if (def) throw configError(def, out[def.key], detail.replace(/^must (be )?/, ''));
    throw new BulwarkError('CONFIG_INVALID', `invalid settings: ${detail}`);
  }
  return Object.freeze(out as unknown as ServerOptions);
}

/** Returns the settings as a loggable object (none of them is secret; paths only). */
export function describeOptions(opts: ServerOptions): Record<string, unknown> {
  return { ...opts };
}
