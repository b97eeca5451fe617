/**
 * The JSON Schemas of SecretStore (namespaced) and ClusterSecretStore (cluster-scoped): a provider,
 * its address and auth, never credentials.
 */
import { PATH_PREFIXES_SCHEMA, PROVIDERS, STORE_CONNECTION_PROPERTIES } from '../../../contract/store-connection.js';
import { documentSchema } from './common.js';

/** The providers a store may use: exactly the sidecar's. */
export const STORE_PROVIDERS = PROVIDERS;

/** Every store volume is mounted under this directory, so that it cannot shadow Bulwark's own paths. */
export const STORE_VOLUME_ROOT = '/var/run/secrets/bulwark/';
/** At most this many volumes per store. */
export const MAX_STORE_VOLUMES = 8;

/** The spec shared by both store kinds: the connection as the sidecar spec has it, prefixes, volumes. */
export const SECRET_STORE_SPEC_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['provider'],
  properties: {
    ...STORE_CONNECTION_PROPERTIES,
    pathPrefixes: PATH_PREFIXES_SCHEMA,
    volumes: {
      description:
        "Secrets or ConfigMaps of the pod's namespace mounted read-only into Bulwark's containers (never into the app), " +
        'for the files this store names: caFile, auth.tokenFile, auth.roleIdFile, auth.secretIdFile. Their content never enters the sidecar spec.',
      type: 'array',
      maxItems: MAX_STORE_VOLUMES,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['mountPath'],
        properties: {
          secret: { type: 'string', minLength: 1, maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' },
          configMap: { type: 'string', minLength: 1, maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' },
          mountPath: { type: 'string', minLength: 2, maxLength: 512, pattern: `^${STORE_VOLUME_ROOT}[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$` },
          optional: { type: 'boolean' },
        },
        oneOf: [{ required: ['secret'] }, { required: ['configMap'] }],
      },
    },
  },
} as const;

/** The SecretStore document schema. */
export const SECRET_STORE_SCHEMA = documentSchema('SecretStore', true, SECRET_STORE_SPEC_SCHEMA);
/** The ClusterSecretStore document schema. */
export const CLUSTER_SECRET_STORE_SCHEMA = documentSchema('ClusterSecretStore', false, SECRET_STORE_SPEC_SCHEMA);
