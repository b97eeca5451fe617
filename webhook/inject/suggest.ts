/**
 * "Did you mean": the closest known bulwark.dev annotation to a mistyped one (pure). Unknown keys
 * under the prefix are errors, because a typo silently drops a file or the whole injection.
 */
import { closest, distance } from 'fastest-levenshtein';
import * as A from './annotations.js';

/** The known keys a typo is compared with; per-file keys keep the typed file name. */
function knownKeysFor(key: string): string[] {
  const rest = key.slice(A.ANNOTATION_PREFIX.length);
  const dot = rest.indexOf('.');
  const file = dot > 0 ? rest.slice(dot + 1) : '';
  const perFile = file ? A.FILE_KINDS.map((k) => `${A.ANNOTATION_PREFIX}${k}.${file}`) : [];
  return [...A.POD_KEYS, ...perFile];
}

/** The closest known key when it is near enough to be what was meant (at most 3 edits), else undefined. */
export function suggestAnnotation(key: string): string | undefined {
  const known = knownKeysFor(key);
  if (!known.length) return undefined;
  const best = closest(key, known);
  return distance(key, best) <= 3 ? best : undefined;
}

/** The message for an unknown key under the prefix. */
export function unknownAnnotationMessage(key: string): string {
  const hint = suggestAnnotation(key);
  return `unknown annotation ${key}${hint ? `; did you mean ${hint}?` : ''} (the bulwark.dev keys are listed in docs/annotations.md)`;
}
