/**
 * Parameters of the secret-hygiene rule, their JSON Schema and defaults.
 */

/** Parameters of the secret-hygiene rule. */
export interface SecretHygieneParams {
  /** Deny env valueFrom.secretKeyRef and envFrom.secretRef: secrets must come as files. */
  forbidEnvSecrets: boolean;
  /** Warn on Opaque Secrets whose keys say they are TLS or docker config. */
  warnTypeMismatch: boolean;
  /** Containers (by name, globs) allowed to take secrets from env even when forbidden. */
  allowContainers: string[];
}

/** The default parameters. */
export const SECRET_HYGIENE_DEFAULTS: SecretHygieneParams = { forbidEnvSecrets: false, warnTypeMismatch: true, allowContainers: [] };

/** The JSON Schema of the parameters. */
export const SECRET_HYGIENE_PARAMS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    forbidEnvSecrets: { type: 'boolean' },
    warnTypeMismatch: { type: 'boolean' },
    allowContainers: { type: 'array', items: { type: 'string', minLength: 1 } },
  },
};
