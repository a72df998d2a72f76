/** Words for a value in an error message about user code: "an array", "a number (42)". */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  if (value === undefined) return 'undefined';
  return `a ${typeof value} (${JSON.stringify(value)?.slice(0, 40)})`;
}

/**
 * The message of whatever user code threw (it need not be an Error). Not `instanceof Error`: an
 * error made in another realm is not an instance of this one's `Error`. The projection test kit
 * loads projection and upcasters modules in Node's own realm, while jest runs tests (and the kit
 * they import) in a realm of their own; the tag check reads their errors as Lambda reads them.
 */
export function messageOf(error: unknown): string {
  return Object.prototype.toString.call(error) === '[object Error]' && typeof (error as Error).message === 'string'
    ? (error as Error).message
    : String(error);
}
