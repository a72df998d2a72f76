/** Words for a value in an error message about user code: "an array", "a number (42)". */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  if (value === undefined) return 'undefined';
  return `a ${typeof value} (${JSON.stringify(value)?.slice(0, 40)})`;
}

/** The message of whatever user code threw (it need not be an Error). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
