/**
 * The HTTP contract of an EventSourcedApi as a black-box suite: only requests and answers, so the
 * same checks run against the local runtime (in the tests) and a deployed stack
 * (`npm run e2e:deployed`). Each run writes to streams of its own (`e2e-<run id>-a`, `-b`).
 */
import { MIN_VERSION_HEADER, PAGE_HEADERS, REPLAY_HEADER } from '../../src/contract';

export interface ContractResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body as JSON; undefined when it is not JSON. */
  readonly json: any;
}

export type ContractRequest = (method: string, path: string, body?: string, headers?: Record<string, string>) => Promise<ContractResponse>;

export interface ContractOptions {
  readonly request: ContractRequest;
  /** A view whose projection makes a record of `eventType` events. */
  readonly view: string;
  /** An event type that view's projection handles. */
  readonly eventType: string;
  /** The event's data (the POST body's other fields). @default {} */
  readonly data?: Record<string, unknown>;
  /** @default 'id' */
  readonly streamIdField?: string;
  /** Makes the stream ids of this run. @default - random */
  readonly runId?: string;
  /**
   * The API appends with WritePath.DIRECT: every POST names its expectedVersion, a 201 answers
   * `{"stored":true}` (replays too), and the data is stored unchecked. @default false
   */
  readonly direct?: boolean;
}

export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  /** Why it failed: what was expected and what came. */
  readonly detail?: string;
}

class CheckFailed extends Error {}

function expectThat(condition: boolean, detail: string): void {
  if (!condition) throw new CheckFailed(detail);
}

const show = (r: ContractResponse) => `${r.status} ${r.text.slice(0, 300)}`;

/** Runs every check in order (later ones build on earlier appends) and reports each. */
export async function runContract(options: ContractOptions): Promise<CheckResult[]> {
  const { request, view, eventType, direct } = options;
  const field = options.streamIdField ?? 'id';
  const runId = options.runId ?? Math.random().toString(36).slice(2, 10);
  const [a, b] = [`e2e-${runId}-a`, `e2e-${runId}-b`];
  // With DIRECT, a new stream's first event names expectedVersion 0 unless the check names another.
  const event = (streamId: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ ...options.data, type: eventType, [field]: streamId, ...(direct ? { expectedVersion: 0 } : {}), ...extra });
  const stored = (r: ContractResponse, version: number) => (direct ? r.text === '{"stored":true}' : r.json?.version === version);
  const post = (body: string) => request('POST', '/', body, { 'Content-Type': 'application/json' });
  const enc = encodeURIComponent;
  const results: CheckResult[] = [];
  const check = async (name: string, body: () => Promise<void>) => {
    try {
      await body();
      results.push({ name, ok: true });
    } catch (err) {
      results.push({ name, ok: false, detail: err instanceof CheckFailed ? err.message : `the check failed: ${String((err as Error)?.message ?? err)}` });
    }
  };

  let first: any;
  await check(direct
    ? 'POST / appends: 201 {"stored":true} (WritePath.DIRECT)'
    : 'POST / appends: 201 with the stored event (version 1, the eventId, type and an ISO timestamp)', async () => {
    const r = await post(event(a, { eventId: `${runId}-1` }));
    expectThat(r.status === 201, `expected 201, got ${show(r)}`);
    first = r.json;
    if (direct) return expectThat(r.text === '{"stored":true}', `expected {"stored":true}, got ${r.text}`);
    expectThat(first?.[field] === a && first.version === 1 && first.eventId === `${runId}-1` && first.type === eventType,
      `expected ${field} ${a}, version 1, eventId ${runId}-1, type ${eventType}; got ${r.text}`);
    expectThat(!Number.isNaN(Date.parse(first.timestamp)), `timestamp ${first.timestamp} is not a date`);
  });
  await check(`the same request again answers the same event, with ${REPLAY_HEADER}: true`, async () => {
    const r = await post(event(a, { eventId: `${runId}-1` }));
    expectThat(r.status === 201 && (direct ? r.text === '{"stored":true}' : r.json?.version === 1 && r.json?.timestamp === first?.timestamp),
      `expected the first answer again, got ${show(r)}`);
    expectThat(r.headers.get(REPLAY_HEADER) === 'true', `expected ${REPLAY_HEADER}: true, got ${r.headers.get(REPLAY_HEADER)}`);
  });
  await check('the same eventId for another event is refused with 422', async () => {
    const r = await post(event(b, { eventId: `${runId}-1` }));
    expectThat(r.status === 422 && typeof r.json?.message === 'string', `expected 422 with a message, got ${show(r)}`);
  });
  await check('an expectedVersion that is not the head answers 409', async () => {
    const r = await post(event(a, { expectedVersion: 5 }));
    expectThat(r.status === 409 && typeof r.json?.message === 'string', `expected 409 with a message, got ${show(r)}`);
  });
  await check('the expectedVersion of the head appends the next version', async () => {
    const r = await post(event(a, { expectedVersion: 1 }));
    expectThat(r.status === 201 && stored(r, 2), `expected 201 at version 2, got ${show(r)}`);
    const other = await post(event(b));
    expectThat(other.status === 201 && stored(other, 1), `expected 201 at version 1 of ${b}, got ${show(other)}`);
  });
  await check('bad input answers 400 with a JSON message, and stores nothing', async () => {
    // DIRECT stores data unchecked, so its third bad body is a bad envelope instead.
    const third = direct ? event(a, { expectedVersion: -1 }) : `{"type":"${eventType}","${field}":"${a}","__proto__":{"x":1}}`;
    for (const body of ['{"type":', JSON.stringify({ [field]: a, ...(direct ? { expectedVersion: 2 } : {}) }), third]) {
      const r = await post(body);
      expectThat(r.status === 400 && typeof r.json?.message === 'string', `expected 400 with a message for ${body}, got ${show(r)}`);
    }
  });
  await check(`read your writes: GET /${view}/{id} with ${MIN_VERSION_HEADER}: 2 answers the record at version 2`, async () => {
    const r = await request('GET', `/${enc(view)}/${enc(a)}`, undefined, { [MIN_VERSION_HEADER]: '2' });
    expectThat(r.status === 200 && r.json?.[field] === a && r.json?.version >= 2, `expected the record of ${a} at version 2, got ${show(r)}`);
  });
  await check(`GET /${view}?limit=1 pages: ${PAGE_HEADERS.response} leads to the next page`, async () => {
    await request('GET', `/${enc(view)}/${enc(b)}`, undefined, { [MIN_VERSION_HEADER]: '1' });
    const page = await request('GET', `/${enc(view)}?limit=1`);
    expectThat(page.status === 200 && Array.isArray(page.json) && page.json.length === 1, `expected a page of one record, got ${show(page)}`);
    const token = page.headers.get(PAGE_HEADERS.response);
    expectThat(token !== null, `expected a ${PAGE_HEADERS.response} header: the view has at least 2 records`);
    const next = await request('GET', `/${enc(view)}?limit=1`, undefined, { [PAGE_HEADERS.request]: token! });
    expectThat(next.status === 200 && Array.isArray(next.json) && next.json.length <= 1, `expected the next page, got ${show(next)}`);
    expectThat(JSON.stringify(next.json) !== JSON.stringify(page.json), 'the next page repeated the first');
  });
  await check('a record that does not exist answers 404 with a JSON message', async () => {
    const r = await request('GET', `/${enc(view)}/${enc(`e2e-${runId}-none`)}`);
    expectThat(r.status === 404 && typeof r.json?.message === 'string', `expected 404 with a message, got ${show(r)}`);
  });
  await check('a route that does not exist answers 403 (REST API) or 404 (HTTP API) with a JSON message', async () => {
    const r = await request('DELETE', '/');
    expectThat((r.status === 403 || r.status === 404) && typeof r.json?.message === 'string', `expected 403 or 404 with a message, got ${show(r)}`);
  });
  return results;
}
