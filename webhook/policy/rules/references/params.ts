/**
 * Parameters of the references rule, their JSON Schema and defaults.
 */

/** Parameters of the references rule. */
export interface ReferencesParams {
  /** Check that referenced keys exist, not only the objects. */
  checkKeys: boolean;
  /** Check bulwark.dev/requires-config against the ConfigMaps' bulwark.dev/version label. */
  checkRequiresConfig: boolean;
}

/** The default parameters. */
export const REFERENCES_DEFAULTS: ReferencesParams = { checkKeys: true, checkRequiresConfig: true };

/** The JSON Schema of the parameters. */
export const REFERENCES_PARAMS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    checkKeys: { type: 'boolean' },
    checkRequiresConfig: { type: 'boolean' },
  },
};
