/**
 * Lists in messages stay short whatever the object's size: a ConfigMap may have 75,000 keys, and a
 * denial that names them all is a megabyte that kubectl prints and the apiserver logs.
 */

/** The first max items joined by ", ", then "and N more" (default 10). */
export function listSome(items: readonly string[], max = 10): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
