/**
 * Carries a pod's cloud workload identity into Bulwark's containers: the environment variables and
 * the projected token mount that EKS's pod identity webhook (IRSA) and Azure Workload Identity add to
 * app containers. When those webhooks ran before Bulwark, its containers would otherwise have no
 * credentials; the values are references (ARNs, client ids, file paths), never secrets.
 */

/** Identity variables copied from the app container that has them. */
export const IDENTITY_ENV = [
  'AWS_ROLE_ARN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_STS_REGIONAL_ENDPOINTS',
  'AZURE_CLIENT_ID',
  'AZURE_TENANT_ID',
  'AZURE_FEDERATED_TOKEN_FILE',
  'AZURE_AUTHORITY_HOST',
] as const;

/** Variables whose value is a token file: the mount that holds it is copied too. */
const TOKEN_FILE_ENV = ['AWS_WEB_IDENTITY_TOKEN_FILE', 'AZURE_FEDERATED_TOKEN_FILE'];

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}
interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}
interface ContainerView {
  env?: EnvVar[];
  volumeMounts?: VolumeMount[];
}

/** The identity env and token mounts to give Bulwark's containers. */
export interface WorkloadIdentity {
  env: EnvVar[];
  mounts: VolumeMount[];
}

/** Finds the first app container carrying identity variables and returns what to copy from it. */
export function findWorkloadIdentity(containers: ContainerView[]): WorkloadIdentity {
  for (const c of containers) {
    const env = (c.env ?? []).filter((e) => (IDENTITY_ENV as readonly string[]).includes(e.name) && typeof e.value === 'string');
    if (!env.length) continue;
    const mounts: VolumeMount[] = [];
    for (const e of env) {
      if (!TOKEN_FILE_ENV.includes(e.name)) continue;
      const mount = (c.volumeMounts ?? []).find((m) => e.value!.startsWith(`${m.mountPath.replace(/\/$/, '')}/`));
      if (mount && !mounts.some((m) => m.name === mount.name)) mounts.push({ name: mount.name, mountPath: mount.mountPath, readOnly: true });
    }
    return { env: env.map((e) => ({ name: e.name, value: e.value! })), mounts };
  }
  return { env: [], mounts: [] };
}
