/**
 * GET /streams/{id} through one of the local runtime's front doors (REST, HTTP API, a mounted API,
 * DIRECT's): what a client reads of a stream, in one object a test compares whole.
 */
import type { HttpClient, HttpResponse } from './local-app';

export interface StreamHistoryTour {
  /** The whole history, one page. */
  readonly items: unknown[];
  /** The versions of each page of two, followed by the LastEvaluatedKey / ExclusiveStartKey headers. */
  readonly pagesOfTwo: number[][];
  /** A stream without events: status and body. */
  readonly unknown: [number, unknown];
  /** `GET {base}/default/streams`: the default view's record "streams", not a history. */
  readonly defaultStreams: [number, unknown];
}

/** Reads stream `streamId`'s history under `base` ('' at the root, '/shop/orders' when mounted). */
export async function streamHistoryTour(client: HttpClient, base: string, streamId: string): Promise<StreamHistoryTour> {
  const url = `${base}/streams/${encodeURIComponent(streamId)}`;
  const all = await client.get(`${url}?limit=50`);
  if (all.status !== 200) throw new Error(`GET ${url} answered ${all.status} ${all.text}`);
  const pagesOfTwo: number[][] = [];
  let token: string | null = null;
  do {
    const page: HttpResponse = await client.get(`${url}?limit=2`, token ? { ExclusiveStartKey: token } : {});
    if (page.status !== 200) throw new Error(`GET ${url}?limit=2 answered ${page.status} ${page.text}`);
    pagesOfTwo.push(page.json.map((event: { version: number }) => event.version));
    token = page.headers.get('LastEvaluatedKey');
  } while (token && pagesOfTwo.length < 10);
  const unknown = await client.get(`${base}/streams/${encodeURIComponent(`${streamId}-never-written`)}`);
  const defaultStreams = await client.get(`${base}/default/streams`);
  return { items: all.json, pagesOfTwo, unknown: [unknown.status, unknown.json], defaultStreams: [defaultStreams.status, defaultStreams.json] };
}

/** The items GET /streams/{id} answers for events stored at versions 1, 2, ... */
export function historyItems(streamId: string, events: Array<{ type: string; schemaVersion: number; data: unknown }>): unknown[] {
  return events.map(({ type, schemaVersion, data }, i) => ({
    streamId, version: i + 1, eventId: expect.any(String), type, schemaVersion, data, timestamp: expect.any(String),
  }));
}

/** What the tour must read of a stream of three events, `events`, at the root or under `base`. */
export function expectedTour(streamId: string, events: Array<{ type: string; schemaVersion: number; data: unknown }>): StreamHistoryTour {
  if (events.length !== 3) throw new Error('expectedTour pages three events: two, then one');
  return {
    items: historyItems(streamId, events),
    pagesOfTwo: [[1, 2], [3]],
    unknown: [404, { message: `No events in stream "${streamId}-never-written"` }],
    defaultStreams: [404, { message: 'No record "streams" in view "default"' }],
  };
}
