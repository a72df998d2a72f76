/**
 * An error's message, or the text of whatever was thrown. Not `instanceof Error`: an error made in
 * another realm is not an instance of this one's `Error`. The projection test kit loads projection
 * and upcasters modules in Node's own realm, while jest runs tests (and the kit they import) in a
 * realm of their own; the tag check reads their errors as Lambda reads them.
 */
export function errorMessage(error: unknown): string {
  return Object.prototype.toString.call(error) === '[object Error]' && typeof (error as Error).message === 'string'
    ? (error as Error).message
    : String(error);
}
