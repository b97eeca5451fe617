/**
 * Parameters of the immutability rule, their JSON Schema and defaults.
 */

/** Parameters of the immutability rule. */
export interface ImmutabilityParams {
  /** ConfigMaps and Secrets must set immutable: true. */
  requireImmutable: boolean;
  /** Which objects are managed: those labelled bulwark.dev/managed=true, or every object the policy matches. */
  managed: 'label' | 'matched';
  /** Label and annotation keys (globs) that may change on a managed object. */
  allowedMetadataChanges: string[];
  /** Require names that carry a version or content hash, so a change is a new object. */
  versionedNames: boolean;
  /** The regular expression a versioned name must match. */
  namePattern: string;
}

/** The default name pattern: a -v<N> suffix or a 6 to 64 character hex content hash suffix. */
export const DEFAULT_NAME_PATTERN = '-(v[0-9]+|[0-9a-f]{6,64})$';

/** The default parameters. */
export const IMMUTABILITY_DEFAULTS: ImmutabilityParams = {
  requireImmutable: false,
  managed: 'label',
  allowedMetadataChanges: ['kubectl.kubernetes.io/*'],
  versionedNames: false,
  namePattern: DEFAULT_NAME_PATTERN,
};

/** The JSON Schema of the parameters. */
export const IMMUTABILITY_PARAMS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    requireImmutable: { type: 'boolean' },
    managed: { type: 'string', enum: ['label', 'matched'] },
    allowedMetadataChanges: { type: 'array', items: { type: 'string', minLength: 1 } },
    versionedNames: { type: 'boolean' },
    namePattern: { type: 'string', minLength: 1, format: 'regex' },
  },
};
