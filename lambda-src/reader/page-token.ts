import { HttpError } from '../core/http';

/**
 * Pagination tokens are opaque to clients: base64url JSON naming the view and the last key, so
 * a token is only accepted by the view it came from.
 */
export function encodePageToken(view: string, lastStreamId: string): string {
  return Buffer.from(JSON.stringify({ v: view, k: lastStreamId }), 'utf8').toString('base64url');
}

export function decodePageToken(view: string, token: string): string {
  const invalid = new HttpError(400, 'Invalid pagination token: send back the LastEvaluatedKey of a previous page of this view');
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(token)) throw invalid;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const value = decoded as { v?: unknown; k?: unknown };
  if (typeof value !== 'object' || value === null || value.v !== view || typeof value.k !== 'string' || value.k.length === 0) throw invalid;
  return value.k;
}
