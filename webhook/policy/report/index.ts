/**
 * Report formatters for `bulwark review`: SARIF and JUnit XML.
 */
export { toSarif, sarifLevel, SARIF_VERSION } from './sarif.js';
export { toJUnit, xmlEscape } from './junit.js';
export { objectId, type ObjectResult } from './types.js';
