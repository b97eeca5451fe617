/**
 * Parameters of the environment rule, their JSON Schema and defaults.
 */

/** What one environment requires. */
export interface EnvironmentRequirements {
  /** ConfigMaps and Secrets must set immutable: true. */
  requireImmutable?: boolean;
  /** Every managed ConfigMap must name a ConfigSchema that exists. */
  requireSchema?: boolean;
  /** bulwark.dev/secret.* references must pin a version: <store>:<path>[#<key>]@<version>. */
  requirePinnedSecretVersions?: boolean;
  /** Which ConfigMaps and Secrets requireImmutable covers: managed ones (label bulwark.dev/managed=true) or all. */
  scope?: 'managed' | 'all';
}

/** Parameters of the environment rule. */
export interface EnvironmentParams {
  /** Requirements by environment name (the namespace label bulwark.dev/environment). */
  environments: Record<string, EnvironmentRequirements>;
  /** Object names (globs) never checked, such as the controller-made kube-root-ca.crt. */
  excludeNames: string[];
}

/** The default parameters. */
export const ENVIRONMENT_DEFAULTS: EnvironmentParams = {
  environments: {},
  excludeNames: ['kube-root-ca.crt', 'sh.helm.release.v1.*'],
};

/** The JSON Schema of the parameters. */
export const ENVIRONMENT_PARAMS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    environments: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          requireImmutable: { type: 'boolean' },
          requireSchema: { type: 'boolean' },
          requirePinnedSecretVersions: { type: 'boolean' },
          scope: { type: 'string', enum: ['managed', 'all'] },
        },
      },
    },
    excludeNames: { type: 'array', items: { type: 'string', minLength: 1 } },
  },
};
