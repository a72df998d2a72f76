/**
 * The writer under load on DynamoDB Local: many appends racing on one stream. Nothing here is
 * timed (figures go to the benchmark); the tests assert outcomes only.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { handler } from '../../../lambda-src/writer/index';
import { KEYS } from '../../../src/contract';
import { captureLogs, freshWriterTable, postEvent, scanAll, type CapturedLogs } from '../../support/local-dynamo';

let logs: CapturedLogs;
let table: string;

beforeEach(async () => {
  logs = captureLogs();
  table = await freshWriterTable();
});
afterEach(() => logs.restore());

const post = (body: Record<string, unknown>): Promise<APIGatewayProxyResult> => handler(postEvent(body));

async function eventsOf(streamId: string): Promise<Array<Record<string, unknown>>> {
  return (await scanAll(table))
    .filter((item) => item[KEYS.streamId] === streamId)
    .sort((a, b) => (a[KEYS.version] as number) - (b[KEYS.version] as number));
}

test('1,000 appends racing with the same expectedVersion: exactly one 201, every other a 409, no 5xx', async () => {
  const results = await Promise.all(Array.from({ length: 1000 }, (_, i) =>
    post({ type: 'Claimed', id: 'race', expectedVersion: 0, eventId: `claim-${i}`, by: i })));

  const statuses = results.map((r) => r.statusCode);
  expect(statuses.filter((s) => s === 201)).toHaveLength(1);
  expect(statuses.filter((s) => s === 409)).toHaveLength(999);
  const winner = JSON.parse(results[statuses.indexOf(201)].body) as { eventId: string; version: number };
  expect(winner.version).toBe(1);
  const stored = await eventsOf('race');
  expect(stored).toHaveLength(1);
  expect(stored[0].eventId).toBe(winner.eventId);
}, 120_000);

test('1,000 appends from 50 concurrent clients (retrying 503s with the same eventId): versions 1..1000, no gap, no duplicate', async () => {
  const CLIENTS = 50;
  const PER_CLIENT = 20;
  const statuses = new Map<number, number>();
  const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);

  const client = async (c: number): Promise<Array<{ eventId: string; version: number }>> => {
    const mine: Array<{ eventId: string; version: number }> = [];
    for (let i = 0; i < PER_CLIENT; i++) {
      const body = { type: 'Ticked', id: 'busy', eventId: `c${c}-${i}`, client: c, i };
      for (;;) {
        const result = await post(body);
        count(result.statusCode);
        if (result.statusCode === 201) {
          mine.push(JSON.parse(result.body) as { eventId: string; version: number });
          break;
        }
        if (result.statusCode !== 503) throw new Error(`client ${c} got ${result.statusCode} ${result.body}`);
        expect(result.headers?.['Retry-After']).toBe('1');
      }
    }
    return mine;
  };
  const answers = (await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)))).flat();

  expect([...statuses.keys()].every((s) => s === 201 || s === 503)).toBe(true);
  expect(answers).toHaveLength(CLIENTS * PER_CLIENT);
  const stored = await eventsOf('busy');
  expect(stored.map((e) => e[KEYS.version])).toEqual(Array.from({ length: CLIENTS * PER_CLIENT }, (_, i) => i + 1));
  expect(new Set(stored.map((e) => e.eventId)).size).toBe(CLIENTS * PER_CLIENT);
  // What each client was told is what the table holds.
  const byEventId = new Map(stored.map((e) => [e.eventId, e[KEYS.version]]));
  for (const answer of answers) expect(byEventId.get(answer.eventId)).toBe(answer.version);
  // Each client's own appends got increasing versions (it waited for each answer).
  for (let c = 0; c < CLIENTS; c++) {
    const versions = answers.filter((a) => a.eventId.startsWith(`c${c}-`)).map((a) => a.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
  }
  console.info(`writer load: ${[...statuses.entries()].sort().map(([s, n]) => `${s}×${n}`).join(' ')}`);
}, 300_000);
