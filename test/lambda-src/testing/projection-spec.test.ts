/**
 * The kit's fluent API (lambda-src/testing/projection-spec.ts), on a projection given as a module
 * object and on one loaded from a TypeScript file: each expectation passes when the record is as
 * GET would answer it and fails with a SpecFailure naming the event and showing the diff; the
 * aggregator's rules (record checks, deletion, unknown types, upcasting) hold as in Lambda.
 */
import * as path from 'node:path';
import { projectionSpec, SpecFailure, SpecUsageError } from '../../../lambda-src/testing/index';
import { IndexKeyType } from '../../../src/view-index';

interface Account { name: string; balance: number }

/** A bank account per stream; some events misbehave on purpose. */
const accounts = {
  handlers: {
    Opened: (_view: Account | undefined, e: { data: Record<string, unknown> }) => ({ name: e.data.name, balance: 0 }),
    Deposited: (view: Account | undefined, e: { data: Record<string, unknown> }) => {
      if (typeof e.data.amount !== 'number') throw new Error(`amount must be a number, got ${JSON.stringify(e.data.amount)}`);
      return { ...view!, balance: view!.balance + e.data.amount };
    },
    Closed: () => undefined,
    Touched: (view: Account | undefined) => view,
    /** Returns a record with `version`, which the reader adds: refused. */
    Versioned: (view: Account | undefined) => ({ ...view, version: 3 }),
    /** Sets the stream id field ('id' by default): refused unless it is the stream's own id. */
    Claimed: (view: Account | undefined, e: { data: Record<string, unknown> }) => ({ ...view, id: e.data.id }),
  },
};

const opened = { type: 'Opened', data: { name: 'Ada' } };
const deposit = (amount: unknown) => ({ type: 'Deposited', data: { amount } });
const SUMMARY = path.join(__dirname, '../../../examples/typescript/projections/summary.ts');

describe('then', () => {
  test('passes on the record as GET answers it, comparing version and the stream id only when expected names them', async () => {
    const spec = projectionSpec(accounts);
    await spec.given(opened).when(deposit(5), deposit(7)).then({ name: 'Ada', balance: 12 });
    await spec.given(opened).when(deposit(5)).then({ name: 'Ada', balance: 5, version: 2, id: 'stream-1' });
    await expect(spec.given(opened).when(deposit(5)).then({ name: 'Ada', balance: 5, version: 3 })).rejects.toThrow(SpecFailure);
    await expect(spec.given(opened).when(deposit(5)).then({ name: 'Ada', balance: 5, id: 'other' })).rejects.toThrow(SpecFailure);
  });

  test('a failure names the stream and the event that produced the record, with a line diff', async () => {
    const error = await projectionSpec(accounts).given(opened).when(deposit(5)).then({ name: 'Ada', balance: 6 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpecFailure);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain('The record of stream "stream-1" is not the one expected (after event 2 of stream "stream-1", Deposited {"amount":5})');
    expect(message).toContain('- expected\n+ actual');
    expect(message).toContain('-   "balance": 6');
    expect(message).toContain('+   "balance": 5');
    expect(message).toContain('    "name": "Ada"');
  });

  test('an extra or missing field fails; so does expecting a record where there is none', async () => {
    const spec = projectionSpec(accounts);
    await expect(spec.given(opened).when(deposit(1)).then({ name: 'Ada' })).rejects.toThrow(/\+ {3}"balance": 1/);
    await expect(spec.given(opened).when(deposit(1)).then({ name: 'Ada', balance: 1, extra: true })).rejects.toThrow(/- {3}"extra": true/);
    await expect(spec.given(opened).when({ type: 'Closed' }).then({ name: 'Ada', balance: 0 })).rejects.toThrow(/\+ \(no record\)/);
  });

  test('an unexpected failing event fails the expectation with its error', async () => {
    const error = await projectionSpec(accounts).given(opened).when(deposit('ten')).then({ name: 'Ada', balance: 10 }).catch((e: unknown) => e) as Error;
    expect(error).toBeInstanceOf(SpecFailure);
    expect(error.message).toBe('Event 2 of stream "stream-1", Deposited {"amount":"ten"} failed (in Lambda it would be retried, then parked):\namount must be a number, got "ten"');
    expect((error as Error & { cause?: unknown }).cause).toEqual(new Error('amount must be a number, got "ten"'));
  });

  test('a projection loaded from a TypeScript file, bundled as synth bundles it', async () => {
    const spec = projectionSpec(SUMMARY);
    await spec.given({ type: 'CustomerRegistered', data: { name: 'Ada' } })
      .when({ type: 'OrderPlaced', data: { amountCents: 1999 } })
      .then({ orders: 1, totalCents: 1999, lastOrderAt: '2026-01-01T00:00:01.000Z' });
    await spec.when({ type: 'OrderPlaced', data: { amountCents: -1 } }).thenFails(/whole, non-negative amountCents/);
    expect(() => projectionSpec(path.join(__dirname, 'no-such-projection.ts'))).toThrow(SpecUsageError);
  });
});

describe('the other expectations', () => {
  test('thenRecords checks several streams at once, null for a stream with no record', async () => {
    const spec = projectionSpec(accounts).given(
      { ...opened, streamId: 'a' }, { type: 'Opened', streamId: 'b', data: { name: 'Bob' } }, { type: 'Opened', streamId: 'c', data: { name: 'Cy' } },
    );
    const when = spec.when({ ...deposit(3), streamId: 'a' }, { type: 'Closed', streamId: 'b' }, { ...deposit(4), streamId: 'a' });
    await when.thenRecords({ a: { name: 'Ada', balance: 7, version: 3 }, b: null, c: { name: 'Cy', balance: 0 }, never: null });
    await expect(when.thenRecords({ a: { name: 'Ada', balance: 7 }, b: { name: 'Bob', balance: 0 } })).rejects.toThrow('stream "b"');
    await expect(when.thenRecords({ c: null })).rejects.toThrow(/Expected no record for stream "c" \(after event 1 of stream "c", Opened/);
  });

  test('thenDeleted passes when a handler returned undefined, and fails with the record otherwise', async () => {
    const spec = projectionSpec(accounts);
    await spec.given(opened).when({ type: 'Closed' }).thenDeleted();
    await expect(spec.given(opened).when(deposit(1)).thenDeleted()).rejects.toThrow(/Expected the record deleted for stream "stream-1".*but it is\n\{\n {2}"name": "Ada"/s);
  });

  test('thenUnchanged passes when the when events left the record as it was (its version still advances)', async () => {
    const spec = projectionSpec(accounts);
    await spec.given(opened).when({ type: 'Touched' }, { type: 'Unknown' }).thenUnchanged();
    const run = await spec.given(opened).when({ type: 'Touched' }, { type: 'Unknown' }).run();
    expect(run.records['stream-1']).toEqual({ name: 'Ada', balance: 0, id: 'stream-1', version: 3 });
    await expect(spec.given(opened).when(deposit(2)).thenUnchanged()).rejects.toThrow(/unchanged by the when events.*\n- expected\n\+ actual/s);
  });

  test('thenFails matches the first failing when event by substring or regular expression, and fails when nothing fails', async () => {
    const spec = projectionSpec(accounts).given(opened);
    await spec.when(deposit(1), deposit('x')).thenFails();
    await spec.when(deposit('x')).thenFails('must be a number');
    await spec.when(deposit('x')).thenFails(/got "x"$/);
    await expect(spec.when(deposit('x')).thenFails('something else'))
      .rejects.toThrow('Expected event 2 of stream "stream-1", Deposited {"amount":"x"} to fail with something else, but it failed with:\namount must be a number, got "x"');
    await expect(spec.when(deposit(1)).thenFails(/amount/)).rejects.toThrow(/Expected a when event to fail with \/amount\/, but every event applied; the record of stream "stream-1" is\n\{/);
  });

  test('run answers every stream\'s record and the first failure, which stops its stream only', async () => {
    const outcome = await projectionSpec(accounts)
      .given({ ...opened, streamId: 'a' }, { ...opened, streamId: 'b' })
      .when({ ...deposit('bad'), streamId: 'a' }, { ...deposit(1), streamId: 'a' }, { ...deposit(2), streamId: 'b' }, { type: 'Closed', streamId: 'b' })
      .run();
    expect(outcome.records).toEqual({ a: { name: 'Ada', balance: 0, id: 'a', version: 1 }, b: undefined });
    expect(outcome.failure).toMatchObject({ streamId: 'a', version: 2, type: 'Deposited', message: 'amount must be a number, got "bad"' });
    expect(outcome.failure?.error).toBeInstanceOf(Error);
    expect(await projectionSpec(accounts).when(opened).run()).toEqual({ records: { 'stream-1': { name: 'Ada', balance: 0, id: 'stream-1', version: 1 } } });
  });

  test('awaiting when(...) with no expectation rejects as a usage error instead of passing', async () => {
    const spec = projectionSpec(accounts);
    // TypeScript refuses this `await` (the type has a `then` that is no promise's); JavaScript does not.
    const forgotten = spec.when(opened) as unknown as PromiseLike<void>;
    await expect((async () => {
      await forgotten;
    })()).rejects.toThrow(/awaited without an expectation/);
    await expect(Promise.resolve(spec.when(opened))).rejects.toBeInstanceOf(SpecUsageError);
    expect(() => spec.when()).toThrow(SpecUsageError);
  });
});

describe('what the kit fills in and what the aggregator refuses', () => {
  test('events get the stream, version, event id and a timestamp a second apart; each can be given', async () => {
    const seen: unknown[] = [];
    const recorder = { handlers: { E: (_v: unknown, e: unknown) => { seen.push(e); return { n: seen.length }; } } };
    await projectionSpec(recorder, { streamId: 'mine' }).given({ type: 'E' })
      .when({ type: 'E', data: { x: 1 }, version: 2, eventId: 'custom', timestamp: '2030-05-05T00:00:00.000Z' }, { type: 'E', streamId: 'other' })
      .run();
    expect(seen).toEqual([
      { streamId: 'mine', version: 1, eventId: 'mine:1', type: 'E', schemaVersion: 1, data: {}, timestamp: '2026-01-01T00:00:00.000Z' },
      { streamId: 'mine', version: 2, eventId: 'custom', type: 'E', schemaVersion: 1, data: { x: 1 }, timestamp: '2030-05-05T00:00:00.000Z' },
      { streamId: 'other', version: 1, eventId: 'other:1', type: 'E', schemaVersion: 1, data: {}, timestamp: '2026-01-01T00:00:02.000Z' },
    ]);
    await expect(projectionSpec(recorder).when({ type: 'E', version: 3 }).run()).rejects.toThrow(/has version 3, but stream "stream-1" is at 0/);
    await expect(projectionSpec(recorder).when({ type: 'E', data: { eventId: 'x' } }).run()).rejects.toThrow(/"eventId" is an envelope field/);
    await expect(projectionSpec(recorder).when({ type: '' }).run()).rejects.toThrow(SpecUsageError);
  });

  test('several streams are independent, each with its own versions', async () => {
    const spec = projectionSpec(accounts).given({ ...opened, streamId: 'x' }, { ...opened, streamId: 'y' }, { ...deposit(1), streamId: 'x' });
    await spec.when({ ...deposit(10), streamId: 'y' }).then({ name: 'Ada', balance: 10, version: 2 });
    await spec.when({ ...deposit(10), streamId: 'y' }).then({ name: 'Ada', balance: 1, version: 2, id: 'x' }, 'x');
  });

  test('an event type without a handler leaves the record and advances its version', async () => {
    const spec = projectionSpec(accounts).given(opened, deposit(4));
    await spec.when({ type: 'NobodyHandlesThis', data: { a: 1 } }, { type: 'NorThis' }).then({ name: 'Ada', balance: 4, version: 4 });
    await spec.when({ type: 'NobodyHandlesThis' }).thenUnchanged();
    // With no record yet, it stays without one.
    await projectionSpec(accounts).when({ type: 'NobodyHandlesThis' }).thenDeleted();
  });

  test('a record with a "version" field fails its event, as in Lambda', async () => {
    await projectionSpec(accounts).given(opened).when({ type: 'Versioned' })
      .thenFails('Handler for "Versioned" returned a record with a "version" field; the reader adds the version of the last applied event there');
  });

  test('a record whose stream id field is not the stream id fails its event; the stream\'s own id is accepted', async () => {
    const spec = projectionSpec(accounts).given(opened);
    await spec.when({ type: 'Claimed', data: { id: 'someone-else' } }).thenFails('Handler for "Claimed" returned a record whose "id" is not the stream id');
    await spec.when({ type: 'Claimed', data: { id: 'stream-1' } }).then({ name: 'Ada', balance: 0, id: 'stream-1' });
    // With another streamIdField, `id` is ordinary data.
    await projectionSpec(accounts, { streamIdField: 'accountId' }).given(opened).when({ type: 'Claimed', data: { id: 'anything' } })
      .then({ name: 'Ada', balance: 0, id: 'anything', accountId: 'stream-1', version: 2 });
  });

  test('a failing given event is an error of the spec, not a failure of the projection', async () => {
    const error = await projectionSpec(accounts).given(opened, deposit('x')).when(deposit(1)).then({ name: 'Ada', balance: 1 }).catch((e: unknown) => e) as Error;
    expect(error).toBeInstanceOf(SpecUsageError);
    expect(error.message).toBe('A given event failed, so the spec cannot start: event 2 of stream "stream-1", Deposited {"amount":"x"}: amount must be a number, got "x"');
    await expect(projectionSpec(accounts).given(deposit('x')).when(opened).thenFails()).rejects.toBeInstanceOf(SpecUsageError);
  });

  test('an event with a key beside data (a field put where data belongs) is refused, naming the key', async () => {
    const typo = { type: 'Deposited', amount: 5 } as unknown as Parameters<ReturnType<typeof projectionSpec>['when']>[0];
    const error = await projectionSpec(accounts).given(opened).when(typo).thenUnchanged().catch((e: unknown) => e) as Error;
    expect(error).toBeInstanceOf(SpecUsageError);
    expect(error.message).toMatch(/^Event 2 \("Deposited"\) has an unknown key "amount": an event is \{ type, data, .*its fields go under "data"$/);
  });

  test('givenRecord starts a stream from a record (as GET answers it, or as the projection returned it) at a version', async () => {
    const spec = projectionSpec(accounts);
    await spec.givenRecord({ name: 'Ada', balance: 100, id: 'stream-1', version: 9 }, { version: 9 })
      .when(deposit(1)).then({ name: 'Ada', balance: 101, version: 10, id: 'stream-1' });
    await spec.givenRecord({ name: 'Bob', balance: 1 }, { streamId: 'b' }).given(opened)
      .when({ ...deposit(2), streamId: 'b' }).thenRecords({ 'b': { name: 'Bob', balance: 3, version: 1 }, 'stream-1': { name: 'Ada', balance: 0 } });
    await spec.givenRecord({ name: 'Ada', balance: 5 }).when({ type: 'Touched' }).thenUnchanged();
    await expect(spec.given(opened).givenRecord({ name: 'x' }).when(deposit(1)).run()).rejects.toThrow(/comes after its events/);
    await expect(spec.givenRecord({ name: 'x' }, { version: -1 }).when(deposit(1)).run()).rejects.toThrow(/whole number from 0/);
  });
});

describe('older schema versions and renamed types', () => {
  const UPCASTERS = path.join(__dirname, '../../fixtures/upcasters/orders.ts');
  const totals = {
    handlers: {
      OrderPlaced: (view: { cents?: number; currencies?: string[] } | undefined, e: { data: Record<string, unknown> }) =>
        ({ cents: (view?.cents ?? 0) + Number(e.data.amountCents), currencies: [...(view?.currencies ?? []), String(e.data.currency)] }),
      OrderCreated: (view: { created?: number } | undefined, e: { data: Record<string, unknown> }) =>
        ({ created: (view?.created ?? 0) + Number(e.data.amountCents) }),
    },
  };

  test('an event of an older schema version is upcast through the upcasters module before the handler sees it', async () => {
    const spec = projectionSpec(totals, { upcasters: UPCASTERS, eventVersions: [{ type: 'OrderPlaced', currentVersion: 2 }] });
    await spec.given({ type: 'OrderPlaced', schemaVersion: 1, data: { amount: 12.5 } })
      .when({ type: 'OrderPlaced', data: { amountCents: 100, currency: 'USD' } })
      .then({ cents: 1350, currencies: ['EUR', 'USD'] });
    // Without eventVersions, schemaVersion 1 is the current (and only) one, and 2 is refused as the writer refuses it.
    await expect(projectionSpec(totals).when({ type: 'OrderPlaced', schemaVersion: 2, data: {} }).run())
      .rejects.toThrow(/has schemaVersion 2; "OrderPlaced" is stored at versions 1 to 1 \(declare its versions with the eventVersions option\)/);
  });

  test('a version with no upcaster is refused when the spec is made, as at synth', () => {
    expect(() => projectionSpec(totals, { eventVersions: [{ type: 'OrderPlaced', currentVersion: 2 }] })).toThrow(/upcasters/);
    expect(() => projectionSpec(totals, { upcasters: UPCASTERS, eventVersions: [{ type: 'OrderPlaced', currentVersion: 3 }] }))
      .toThrow(/no upcaster for "OrderPlaced" from version 2 to 3/);
  });

  test('a renamed type is stored at its last version and reaches the projection under its new name', async () => {
    const upcasters = { upcasters: { OrderPlaced: { 1: (e: { data: Record<string, unknown> }) => ({ type: 'OrderCreated', data: { amountCents: Number(e.data.amount) * 100 } }) } } };
    const spec = projectionSpec(totals, {
      upcasters,
      eventVersions: [{ type: 'OrderPlaced', currentVersion: 2, renamedTo: 'OrderCreated' }, { type: 'OrderCreated', firstVersion: 2, currentVersion: 2 }],
    });
    await spec.when({ type: 'OrderPlaced', data: { amount: 2 } }, { type: 'OrderCreated', data: { amountCents: 5 } }).then({ created: 205 });
    await expect(spec.when({ type: 'OrderPlaced', schemaVersion: 2, data: { amount: 2 } }).run()).rejects.toThrow(/"OrderPlaced" is stored at versions 1 to 1/);
  });
});

describe('the view\'s indexes', () => {
  const byBalance = { name: 'byBalance', partitionKey: { field: 'name', type: IndexKeyType.STRING }, sortKey: { field: 'balance', type: IndexKeyType.NUMBER } };

  test('a record whose key field has another type fails its event, as the aggregator fails it', async () => {
    const spec = projectionSpec(accounts, { indexes: [{ name: 'byName', partitionKey: { field: 'name', type: IndexKeyType.NUMBER } }] });
    await spec.when(opened).thenFails('Handler for "Opened" returned a record whose field "name" is a string; index "byName" expects a number as its partition key');
    // Without the indexes, the same record is fine.
    await projectionSpec(accounts).when(opened).then({ name: 'Ada', balance: 0 });
    // A record without the field is simply not in the index.
    await projectionSpec(accounts, { indexes: [byBalance] }).when({ type: 'Opened', data: {} }).then({ balance: 0 });
    await projectionSpec(accounts, { indexes: [byBalance] }).given(opened).when(deposit(3)).then({ name: 'Ada', balance: 3 });
  });

  test('indexes the construct would refuse are a usage error, with synth\'s message', () => {
    expect(() => projectionSpec(accounts, { indexes: [byBalance, byBalance] })).toThrow(SpecUsageError);
    expect(() => projectionSpec(accounts, { indexes: [byBalance, byBalance] })).toThrow(/^indexes\[1\]\.name "byBalance" is already indexes\[0\]'s/);
  });
});
