/**
 * Index queries against an oracle, on DynamoDB Local: for generated index specs (string or number
 * partition key, optional string or number sort key), records (key fields sometimes absent, null or
 * "") and queries (key, prefix or from/to, order, limit 1-7), the pages GET /{view}?index= answers
 * are what a client-side filter and sort of the whole view gives:
 * - a static view: the pages put together are the oracle, in order, each record once. Records with
 *   equal sort keys (or all of a partition, without a sort key) may come in any order among
 *   themselves: DynamoDB does not document the order of equal index keys;
 * - a view that changes between pages (upserts, deletions, keys moved): each page is the next
 *   records of the oracle *at that moment* after the cursor (the last record's sort key): each as
 *   it is now, in order, none before the cursor, none of those after it skipped up to the page's
 *   last sort key (to the end on the last page), and `limit` of them unless it is the last page.
 *   Records tied with the cursor's sort key may fall either side of it: DynamoDB Local orders
 *   them neither by id nor by write. Across the walk, a record unchanged during it appears exactly
 *   once, and no version of a record twice.
 *
 * Records are written as the aggregator writes them (state plus `indexAttributes`). fast-check
 * prints the seed; FC_SEED=<seed> replays a run (test/support/arbitraries.ts).
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import * as fc from 'fast-check';
import { compareKeyValues, type IndexSpec, type KeyTypeCode } from '../../../lambda-src/core/view-indexes';
import { forgetIndexReadiness, handler } from '../../../lambda-src/reader/index';
import { ENV, PAGE_HEADERS } from '../../../src/contract';
import { runs } from '../../support/arbitraries';
import { putIndexedRecord, useIndexedViewRegistry } from '../../support/indexed-views';
import { apiEvent, captureLogs, createViewTable, markIndexesReady, type CapturedLogs } from '../../support/local-dynamo';

const VIEW = 'things';
const FIELDS = ['f1', 'f2', 'f3'] as const;
type Field = typeof FIELDS[number];
type KeyValue = string | number;

/** Few values, so partitions hold many records and sort keys tie; strings whose UTF-8 and UTF-16 orders differ. */
const STRINGS = ['a', 'ab', 'é', 'Z', 'abc', 'b', 'B', 'ba', 'e\u0301', 'z', 'a b', '\uffff', '\u{10000}', '😀'];
const NUMBERS = [-1.5, 2, 10, 9, -100, 0, 0.5, 1, 100, 1e21, 123.456];
const PREFIXES = ['a', 'ab', 'b', 'e', 'é', '\uffff', '\ud83d\ude00', 'q'];
const IDS = ['r1', 'r2', 'r3', 'R4', 'r10', 'é', 'e', 'a b', 'Z', '😀', '\uffff', '\u{10000}', 'x-1', 'x-2', 'x-3', 'y'];

let logs: CapturedLogs;
beforeEach(() => { logs = captureLogs(); });
afterEach(() => logs.restore());

// ---- generated data -------------------------------------------------------------------------

/** A value of a key's type: mostly one of the first three (partitions of many records), sometimes any. */
const keyValueOf = (type: KeyTypeCode): fc.Arbitrary<KeyValue> => {
  const values: KeyValue[] = type === 'S' ? STRINGS : NUMBERS;
  return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...values.slice(0, 3)) }, { weight: 1, arbitrary: fc.constantFrom(...values) });
};

/** Types of the three fields (one type per field across a view's indexes), and one or two specs over them. */
const viewShape = fc.record({ f1: fc.constantFrom<KeyTypeCode>('S', 'N'), f2: fc.constantFrom<KeyTypeCode>('S', 'N'), f3: fc.constantFrom<KeyTypeCode>('S', 'N') })
  .chain((types) => {
    const spec = (name: string) => fc.tuple(fc.constantFrom(...FIELDS), fc.option(fc.constantFrom(...FIELDS), { freq: 3 }))
      .filter(([pk, sk]) => pk !== sk)
      .map(([pk, sk]): IndexSpec => ({
        name,
        partitionKey: { field: pk, type: types[pk] },
        ...(sk === null ? {} : { sortKey: { field: sk, type: types[sk as Field] } }),
      }));
    return fc.tuple(fc.constant(types), fc.oneof(spec('first').map((s) => [s]), fc.tuple(spec('first'), spec('second'))));
  });

type Types = Record<Field, KeyTypeCode>;
type State = Record<string, unknown>;

/** A record's state: each key field absent, null, "" (all three leave it out of an index) or a value of its type. */
const stateOf = (types: Types): fc.Arbitrary<State> => fc.record({
  f1: fieldValue(types.f1), f2: fieldValue(types.f2), f3: fieldValue(types.f3), payload: fc.integer({ min: 0, max: 1e6 }),
}).map((state) => Object.fromEntries(Object.entries(state).filter(([, v]) => v !== undefined)));

function fieldValue(type: KeyTypeCode): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 6, arbitrary: keyValueOf(type) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom(null, '') },
  );
}

/** A write: a new state of a record, or its deletion (`undefined`: the record keeps a version, no state). */
const writeOf = (types: Types) => fc.tuple(fc.constantFrom(...IDS), fc.option(stateOf(types), { freq: 6, nil: undefined }));

interface Query {
  readonly spec: IndexSpec;
  readonly key: KeyValue;
  readonly prefix?: string;
  readonly from?: KeyValue;
  readonly to?: KeyValue;
  readonly order: 'asc' | 'desc';
  readonly limit: number;
}

type Condition = Partial<Pick<Query, 'prefix' | 'from' | 'to'>>;

/** A key value: mostly one the records have (so queries find records), sometimes any of its type. */
function keyFrom(field: string, type: KeyTypeCode, writes: Array<[string, State | undefined]>): fc.Arbitrary<KeyValue> {
  const present = [...new Set(writes.map(([, state]) => (state ? keyOf(state, field) : undefined)).filter((v): v is KeyValue => v !== undefined))];
  if (present.length === 0) return keyValueOf(type);
  return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...present) }, { weight: 1, arbitrary: keyValueOf(type) });
}

/** The sort key part of a query: none, a prefix (string sort keys), or bounds with either end open. */
function conditionOf(sk: IndexSpec['sortKey'], writes: Array<[string, State | undefined]>): fc.Arbitrary<Condition> {
  if (!sk) return fc.constant({});
  const bound = fc.option(keyFrom(sk.field, sk.type, writes), { nil: undefined });
  const range = fc.tuple(bound, bound).map(([a, b]): Condition => (
    a !== undefined && b !== undefined && compareKeyValues(a, b) > 0 ? { from: b, to: a } : { from: a, to: b }));
  // Prefixes of the values the records have (a code point or two), and some that are not.
  const prefix = fc.oneof(
    keyFrom(sk.field, sk.type, writes).chain((v) => fc.integer({ min: 1, max: 2 }).map((n) => [...String(v)].slice(0, n).join(''))),
    fc.constantFrom(...PREFIXES),
  ).map((p): Condition => ({ prefix: p }));
  return sk.type === 'S' ? fc.oneof(fc.constant<Condition>({}), prefix, range) : fc.oneof(fc.constant<Condition>({}), range);
}

const queryOf = (specs: IndexSpec[], writes: Array<[string, State | undefined]>): fc.Arbitrary<Query> => fc.constantFrom(...specs).chain((spec) => {
  const sk = spec.sortKey;
  const condition = conditionOf(sk, writes);
  return fc.record({
    spec: fc.constant(spec),
    key: keyFrom(spec.partitionKey.field, spec.partitionKey.type, writes),
    condition,
    order: sk ? fc.constantFrom<'asc' | 'desc'>('asc', 'desc') : fc.constant<'asc' | 'desc'>('asc'),
    limit: fc.integer({ min: 1, max: 7 }),
  }).map(({ condition: c, ...q }) => ({ ...q, ...c }));
});

// ---- the view, in DynamoDB Local and in the model --------------------------------------------

/** The view as the oracle sees it: id -> version and state (no state: deleted). */
type Model = Map<string, { version: number; state?: State }>;

async function freshView(specs: IndexSpec[]): Promise<string> {
  const table = await createViewTable({ indexes: specs });
  await useIndexedViewRegistry([{ view: VIEW, table, indexes: specs }]);
  process.env[ENV.defaultView] = VIEW;
  await markIndexesReady(table, specs);
  forgetIndexReadiness();
  return table;
}

/** Writes a record as the aggregator does (a Put of the whole item, index attributes included) and in the model. */
async function write(table: string, specs: IndexSpec[], model: Model, id: string, state: State | undefined): Promise<void> {
  const version = (model.get(id)?.version ?? 0) + 1;
  await putIndexedRecord(table, specs, id, version, state);
  model.set(id, { version, state });
}

/** A field's value as an index key: absent, null and "" are none. */
function keyOf(state: State, field: string): KeyValue | undefined {
  const value = state[field];
  return value === undefined || value === null || value === '' ? undefined : value as KeyValue;
}

interface Entry { readonly id: string; readonly version: number; readonly sk?: KeyValue; readonly record: State }

/**
 * The oracle: every record of the model in the query's index entry, sorted as the query reads it
 * (by sort key; reversed for desc). Ties are put in id order only to have one order: no check
 * relies on it.
 */
function oracle(model: Model, q: Query): Entry[] {
  const entries: Entry[] = [];
  for (const [id, { version, state }] of model) {
    if (!state) continue;
    const pk = keyOf(state, q.spec.partitionKey.field);
    const sk = q.spec.sortKey ? keyOf(state, q.spec.sortKey.field) : undefined;
    if (pk === undefined || (q.spec.sortKey && sk === undefined) || compareKeyValues(pk, q.key) !== 0) continue;
    if (sk !== undefined && !inCondition(sk, q)) continue;
    entries.push({ id, version, sk, record: { ...state, id, version } });
  }
  entries.sort(byCursorOrder);
  return q.order === 'desc' ? entries.reverse() : entries;
}

function inCondition(sk: KeyValue, q: Query): boolean {
  if (q.prefix !== undefined) return typeof sk === 'string' && sk.startsWith(q.prefix);
  if (q.from !== undefined && compareKeyValues(sk, q.from) < 0) return false;
  if (q.to !== undefined && compareKeyValues(sk, q.to) > 0) return false;
  return true;
}

function byCursorOrder(a: { id: string; sk?: KeyValue }, b: { id: string; sk?: KeyValue }): number {
  const bySk = a.sk === undefined || b.sk === undefined ? 0 : compareKeyValues(a.sk, b.sk);
  return bySk !== 0 ? bySk : compareKeyValues(a.id, b.id);
}

// ---- the reader -----------------------------------------------------------------------------

async function page(q: Query, cursor: string | undefined): Promise<{ records: State[]; next?: string }> {
  const params: Record<string, string> = { index: q.spec.name, key: String(q.key), limit: String(q.limit) };
  if (q.prefix !== undefined) params.prefix = q.prefix;
  if (q.from !== undefined) params.from = String(q.from);
  if (q.to !== undefined) params.to = String(q.to);
  if (q.spec.sortKey) params.order = q.order;
  if (cursor !== undefined) params.cursor = cursor;
  const result: APIGatewayProxyResult = await handler(apiEvent({ method: 'GET', resource: '/{view}', pathParameters: { view: VIEW }, queryStringParameters: params }));
  if (result.statusCode !== 200) throw new Error(`GET ${JSON.stringify(params)} answered ${result.statusCode}: ${result.body}`);
  return { records: JSON.parse(result.body) as State[], next: result.headers?.[PAGE_HEADERS.response] as string | undefined };
}

const MAX_PAGES = 40;

/** The pages put together equal the oracle, each tie group (equal sort keys) as a set. */
function expectSameUpToTies(got: State[], expected: Entry[], q: Query): void {
  const skOf = (r: State) => (q.spec.sortKey ? r[q.spec.sortKey.field] as KeyValue : undefined);
  expect(got.map(skOf)).toEqual(expected.map((e) => e.sk));
  const groups = (items: Array<{ sk?: KeyValue; key: string }>) => {
    const out: string[][] = [];
    items.forEach((item, i) => {
      if (i === 0 || compareKeyValues(items[i - 1].sk ?? 0, item.sk ?? 0) !== 0) out.push([]);
      out[out.length - 1].push(item.key);
    });
    return out.map((g) => g.sort());
  };
  const asJson = (r: State) => JSON.stringify(r, Object.keys(r).sort());
  expect(groups(got.map((r) => ({ sk: skOf(r), key: asJson(r) })))).toEqual(groups(expected.map((e) => ({ sk: e.sk, key: asJson(e.record) }))));
}

test('a static view: the pages put together are the client-side filter and sort of the whole view', async () => {
  const scenario = viewShape.chain(([types, specs]) => fc.array(writeOf(types), { minLength: 0, maxLength: 30, size: 'max' }).chain((writes) => fc.record({
    specs: fc.constant(specs),
    writes: fc.constant(writes),
    queries: fc.array(queryOf(specs, writes), { minLength: 1, maxLength: 5 }),
  })));
  await fc.assert(fc.asyncProperty(scenario, async ({ specs, writes, queries }) => {
    const table = await freshView(specs);
    const model: Model = new Map();
    for (const [id, state] of writes) await write(table, specs, model, id, state);
    for (const q of queries) {
      const got: State[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const { records, next } = await page(q, cursor);
        expect(records.length).toBeLessThanOrEqual(q.limit);
        // A page short of the limit is the last one: Query has no filter to thin it out.
        if (records.length < q.limit) expect(next).toBeUndefined();
        got.push(...records);
        cursor = next;
        expect(++pages).toBeLessThan(MAX_PAGES);
      } while (cursor !== undefined);
      expect(new Set(got.map((r) => r.id)).size).toBe(got.length);
      expectSameUpToTies(got, oracle(model, q), q);
    }
  }), runs(60));
});

test('a view changing between pages: each page is the next records of the oracle at that moment', async () => {
  const scenario = viewShape.chain(([types, specs]) => fc.array(writeOf(types), { minLength: 5, maxLength: 25, size: 'max' }).chain((writes) => fc.record({
    specs: fc.constant(specs),
    writes: fc.constant(writes),
    query: queryOf(specs, writes),
    // Writes between pages: upserts, deletions, records whose keys move before or after the cursor.
    changes: fc.array(fc.array(writeOf(types), { maxLength: 3 }), { maxLength: MAX_PAGES }),
  })));
  await fc.assert(fc.asyncProperty(scenario, async ({ specs, writes, query: q, changes }) => {
    const table = await freshView(specs);
    const model: Model = new Map();
    for (const [id, state] of writes) await write(table, specs, model, id, state);
    const touched = new Set<string>();
    const seen: State[] = [];
    let cursor: string | undefined;
    let last: Cursor | undefined;
    for (let n = 0; ; n++) {
      // Each page moves the cursor on; writes can put at most every record ahead of it again.
      expect(n).toBeLessThan(MAX_PAGES + IDS.length + 2);
      const { records, next } = await page(q, cursor);
      expectNextRecords(records, oracle(model, q), last, q, next === undefined);
      seen.push(...records);
      if (next === undefined) break;
      const end = records[records.length - 1];
      last = { id: end.id as string, sk: sortKeyOf(end, q) };
      cursor = next;
      for (const [id, state] of changes[n] ?? []) {
        await write(table, specs, model, id, state);
        touched.add(id);
      }
    }
    // No version of a record twice (a record moved past the cursor comes again, at a new version).
    const versions = seen.map((r) => `${String(r.id)}@${String(r.version)}`);
    expect(new Set(versions).size).toBe(versions.length);
    // A record not written during the walk, and in the query's answer, came exactly once.
    const initial = oracle(model, q).filter((e) => !touched.has(e.id)).map((e) => e.id);
    for (const id of initial) expect(seen.filter((r) => r.id === id)).toHaveLength(1);
  }), runs(60));
});

interface Cursor { readonly id: string; readonly sk?: KeyValue }

function sortKeyOf(record: State, q: Query): KeyValue | undefined {
  return q.spec.sortKey ? record[q.spec.sortKey.field] as KeyValue : undefined;
}

/**
 * A page read while the view changes is the oracle's next records after the cursor, as far as the
 * order is documented: in the query's direction by sort key, ties (all of a partition without a
 * sort key) in an order of DynamoDB's own.
 */
function expectNextRecords(records: State[], now: Entry[], cursor: Cursor | undefined, q: Query, isLast: boolean): void {
  // How two sort keys compare in the direction read; without a sort key, every record ties.
  const cmp = (a: KeyValue | undefined, b: KeyValue | undefined) => (a === undefined || b === undefined ? 0 : (q.order === 'desc' ? -1 : 1) * compareKeyValues(a, b));
  const current = new Map(now.map((e) => [e.id, e.record]));
  // Each record as the view has it now, once, in order.
  for (const record of records) expect(record).toEqual(current.get(record.id as string));
  expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
  records.slice(1).forEach((record, i) => expect(cmp(sortKeyOf(records[i], q), sortKeyOf(record, q))).toBeLessThanOrEqual(0));
  // None before the cursor, nor the cursor's own record at its place (the start key excludes it).
  if (cursor) {
    for (const record of records) {
      const c = cmp(sortKeyOf(record, q), cursor.sk);
      expect(c).toBeGreaterThanOrEqual(0);
      if (c === 0) expect(record.id).not.toBe(cursor.id);
    }
  }
  // None skipped: every record past the cursor's sort key and before the page's last one is in the
  // page; on the last page, every record past the cursor's sort key.
  const got = new Set(records.map((r) => r.id));
  const lastSk = records.length > 0 ? sortKeyOf(records[records.length - 1], q) : undefined;
  const missing = now.filter((e) => (cursor === undefined || cmp(e.sk, cursor.sk) > 0)
    && (isLast || (records.length > 0 && cmp(e.sk, lastSk) < 0)) && !got.has(e.id));
  expect(missing.map((e) => e.id)).toEqual([]);
  // A page is full unless it is the last (Query has no filter to thin it out).
  if (!isLast) expect(records).toHaveLength(q.limit);
}
