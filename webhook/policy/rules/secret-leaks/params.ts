/**
 * Parameters of the secret-leaks rule, their JSON Schema and defaults.
 */
import { DETECTORS, type DetectorId } from './detectors.js';

/** Parameters of the secret-leaks rule. */
export interface SecretLeaksParams {
  /** Detectors to run; all by default. */
  detectors: DetectorId[];
  /** Key names (globs) never reported: data keys, env var names, annotation keys. */
  allowKeys: string[];
  /** Regular expressions; a value matching one is never reported (e.g. known test fixtures). */
  allowPatterns: string[];
  /** Key names that make a value a secret candidate for the entropy detector (a regular expression, case-insensitive). */
  secretKeyPattern: string;
  /** Minimum length of a value for the entropy detector. */
  minLength: number;
  /** Minimum Shannon entropy in bits per character for the entropy detector. */
  minEntropy: number;
}

/** The default parameters. */
export const SECRET_LEAKS_DEFAULTS: SecretLeaksParams = {
  detectors: [...DETECTORS],
  allowKeys: [],
  allowPatterns: [],
  secretKeyPattern: '(pass(word|wd)?|secret|token|api[-_.]?key|access[-_.]?key|private[-_.]?key|credentials?|(^|[-_.])key)$',
  minLength: 16,
  minEntropy: 3.5,
};

/** The JSON Schema of the parameters. */
export const SECRET_LEAKS_PARAMS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    detectors: { type: 'array', items: { type: 'string', enum: [...DETECTORS] } },
    allowKeys: { type: 'array', items: { type: 'string', minLength: 1 } },
    allowPatterns: { type: 'array', items: { type: 'string', minLength: 1, format: 'regex' } },
    secretKeyPattern: { type: 'string', minLength: 1, format: 'regex' },
    minLength: { type: 'integer', minimum: 8, maximum: 4096 },
    minEntropy: { type: 'number', minimum: 1, maximum: 8 },
  },
};
