/**
 * An event as Lambda's runtime API hands it to a function: JSON text
 * (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html#runtimes-api-next). Binary values
 * (a stream record's B and BS attributes, as the DynamoDB Streams SDK gives them) are base64
 * strings there, as in every AWS JSON protocol; undefined fields are left out and Dates become ISO
 * strings, as JSON.stringify does.
 */
export function lambdaJson(event: unknown): string {
  return JSON.stringify(event, function (this: Record<string, unknown>, key: string, value: unknown) {
    // `value` is already Buffer's toJSON(); the holder has the bytes themselves.
    const original = this[key];
    return original instanceof Uint8Array ? Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64') : value;
  }) ?? 'null';
}
