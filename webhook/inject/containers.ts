/**
 * Builds the two injected containers, bulwark-init and bulwark-sidecar, and the shared volume:
 * hardened, with the spec in BULWARK_SPEC and the pod's name and namespace from the downward API (the
 * sidecar logs the name and refuses a spec whose namespace is not the pod's).
 */
import { SPEC_ENV } from '../../sidecar/spec/types.js';
import type { ResourceSettings } from './resources.js';
import type { WorkloadIdentity } from './workload-identity.js';
import { INIT_CONTAINER_NAME, SIDECAR_CONTAINER_NAME, VOLUME_NAME } from './targets.js';

/** The non-root user the injected containers run as (distroless "nonroot"). */
export const SIDECAR_UID = 65532;
/** Environment variables of the injected containers besides the spec. */
export const ENV_POD_NAME = 'BULWARK_POD_NAME';
export const ENV_POD_NAMESPACE = 'BULWARK_POD_NAMESPACE';
/** Where the sidecar serves /metrics and /healthz; 0.0.0.0 (HTTPS) so that a PodMonitor can scrape it. */
export const ENV_METRICS_ADDRESS = 'BULWARK_SIDECAR_METRICS_ADDRESS';
/** The sidecar's metrics port and its name (the PodMonitor selects it by name). */
export const METRICS_PORT = 9090;
export const METRICS_PORT_NAME = 'bulwark-metrics';

/** What both containers are built from. */
export interface ContainerInputs {
  image: string;
  specJson: string;
  resources: ResourceSettings;
  mountPath: string;
  /** Read-only mounts of Bulwark's own containers: the service-account token and store volumes (see credential-mounts.ts). */
  credentialMounts?: Record<string, unknown>[];
  /** The pod's cloud workload identity (env and token mount), copied from its app containers. */
  identity?: WorkloadIdentity;
  /** The user and group of the injected containers (file-owner.ts); default 65532. */
  user?: { runAsUser: number; runAsGroup: number };
}

/** The hardened security context of every injected container (user 65532 unless the app's own, see file-owner.ts). */
export function hardenedSecurityContext(user = { runAsUser: SIDECAR_UID, runAsGroup: SIDECAR_UID }): Record<string, unknown> {
  return {
    runAsNonRoot: true,
    runAsUser: user.runAsUser,
    runAsGroup: user.runAsGroup,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

function baseContainer(name: string, args: string[], inputs: ContainerInputs): Record<string, unknown> {
  return {
    name,
    image: inputs.image,
    imagePullPolicy: 'IfNotPresent',
    args,
    env: [
      { name: SPEC_ENV, value: inputs.specJson },
      { name: ENV_POD_NAME, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: ENV_POD_NAMESPACE, valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      ...(inputs.identity?.env ?? []),
    ],
    resources: {
      requests: { ...inputs.resources.requests },
      limits: { ...inputs.resources.limits },
    },
    securityContext: hardenedSecurityContext(inputs.user),
    volumeMounts: [{ name: VOLUME_NAME, mountPath: inputs.mountPath }, ...(inputs.credentialMounts ?? []), ...(inputs.identity?.mounts ?? [])],
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
}

/** bulwark-init: fetches and writes every file once, then exits, before the app starts. */
export function buildInitContainer(inputs: ContainerInputs): Record<string, unknown> {
  return baseContainer(INIT_CONTAINER_NAME, ['init'], inputs);
}

/**
 * bulwark-sidecar: keeps the files current; native (restartPolicy Always in initContainers) or classic.
 * Its metrics are served over HTTPS on the pod IP, except in hostNetwork pods, where a fixed port would
 * claim a port of the node: there they stay on loopback.
 */
export function buildSidecarContainer(inputs: ContainerInputs, native: boolean, hostNetwork = false): Record<string, unknown> {
  const c = baseContainer(SIDECAR_CONTAINER_NAME, ['run'], inputs);
  if (!hostNetwork) {
    (c.env as unknown[]).push({ name: ENV_METRICS_ADDRESS, value: '0.0.0.0' });
    c.ports = [{ name: METRICS_PORT_NAME, containerPort: METRICS_PORT, protocol: 'TCP' }];
  }
  if (native) c.restartPolicy = 'Always';
  return c;
}

/** The in-memory volume shared by Bulwark's containers and the app. */
export function buildVolume(sizeLimit: string): Record<string, unknown> {
  return { name: VOLUME_NAME, emptyDir: { medium: 'Memory', sizeLimit } };
}

/** The read-only mount placed into each chosen app container. */
export function buildAppMount(mountPath: string): Record<string, unknown> {
  return { name: VOLUME_NAME, mountPath, readOnly: true };
}
