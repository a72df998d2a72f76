/**
 * A custom resource created as CloudFormation creates it: the Create request, the answer PUT to
 * the ResponseURL, and the failures a deploy would report. Also the data folder's queue state.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { removeTempDirs, tempDir } from '../../../test/support/local-app';
import { createCustomResource } from '../src/custom-resource';
import { LocalFunction, sdkNodePath } from '../src/function-host';
import { LocalQueue } from '../src/local-queue';
import { keepMessages, readState, restoreMessages, writeState } from '../src/local-state';

const HANDLERS = `
const answer = (event, Status, Reason) => fetch(event.ResponseURL, {
  method: 'PUT',
  body: JSON.stringify({ Status, Reason, PhysicalResourceId: 'p-1', StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId }),
});
exports.succeeds = async (event) => { await answer(event, 'SUCCESS', 'started ' + event.ResourceProperties.view); return event; };
exports.refuses = async (event) => { await answer(event, 'FAILED', 'No view named "' + event.ResourceProperties.view + '"'); };
exports.throws = async () => { throw new Error('cannot reach the jobs queue'); };
exports.silent = async () => 'no answer';
exports.echoesOld = async (event) => { await answer(event, 'SUCCESS', JSON.stringify(event.OldResourceProperties ?? null)); };
`;

const functions: LocalFunction[] = [];
afterAll(async () => {
  for (const fn of functions) await fn.stop();
  removeTempDirs();
});

function make(handler: string, timeoutSeconds = 3): LocalFunction {
  const codeDir = tempDir('es-cr-');
  fs.writeFileSync(path.join(codeDir, 'index.js'), HANDLERS);
  const fn = new LocalFunction({ logicalId: `Maintenance${functions.length}`, codeDir, handler: `index.${handler}`, timeoutSeconds, environment: {} }, {
    baseEnvironment: {},
    nodePath: sdkNodePath(),
  });
  functions.push(fn);
  return fn;
}

const request = { stackName: 'Shop', logicalId: 'BackfillSummary', resourceType: 'Custom::ViewBackfill', properties: { view: 'summary', table: 't-1', reason: 'backfill' } };

test('the function gets a Create request with the properties and a ResponseURL, and its answer is what CloudFormation reads', async () => {
  const outcome = await createCustomResource(make('succeeds'), request);
  expect(outcome).toMatchObject({ Status: 'SUCCESS', Reason: 'started summary', PhysicalResourceId: 'p-1' });
});

test('an Update carries the properties the earlier run deployed as OldResourceProperties; a Create carries none', async () => {
  const fn = make('echoesOld');
  const old = { ...request.properties, upcastersHash: 'a' };
  const update = await createCustomResource(fn, { ...request, requestType: 'Update', physicalResourceId: 'p-1', oldProperties: old });
  expect(JSON.parse(update.Reason!)).toEqual({ ServiceToken: fn.definition.logicalId, ...old });
  // Unknown (no earlier run recorded them): the same as the new ones.
  const same = await createCustomResource(fn, { ...request, requestType: 'Update', physicalResourceId: 'p-1' });
  expect(JSON.parse(same.Reason!)).toEqual({ ServiceToken: fn.definition.logicalId, ...request.properties });
  expect(JSON.parse((await createCustomResource(fn, request)).Reason!)).toBeNull();
});

test('a FAILED answer, a function error, and no answer within the wait all fail the creation, with the reason', async () => {
  expect(await createCustomResource(make('refuses'), request)).toMatchObject({ Status: 'FAILED', Reason: 'No view named "summary"' });
  expect(await createCustomResource(make('throws'), request)).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/^the function failed: .*cannot reach the jobs queue$/) });
  // A function that returns without answering: CloudFormation waits (up to an hour); so does this, up to its limit.
  expect(await createCustomResource(make('silent'), request, 300)).toMatchObject({ Status: 'FAILED', Reason: 'no answer within 0.3 s' });
}, 30_000);

test('a data folder keeps every queued message, in order, and restores it into a fresh queue', () => {
  const dir = tempDir('es-state-');
  const queue = new LocalQueue({ name: 'q.fifo', fifo: true, visibilityTimeoutMs: 1000 });
  queue.send('a', 'g1', 'd1', { k: 'v' });
  queue.send('b', 'g2', 'd2');
  queue.receive(1); // in flight: it would come back after its visibility timeout, so it is kept
  writeState(dir, { streams: { 'Stack/Api': { 'shard-1': '000042' } }, queues: { 'arn:q': keepMessages(queue) } });

  const state = readState(dir);
  expect(state.streams).toEqual({ 'Stack/Api': { 'shard-1': '000042' } });
  const fresh = new LocalQueue({ name: 'q.fifo', fifo: true, visibilityTimeoutMs: 1000 });
  restoreMessages(fresh, state.queues['arn:q']);
  expect(fresh.peek().map((m) => [m.body, m.groupId, m.deduplicationId, m.attributes])).toEqual([['a', 'g1', 'd1', { k: 'v' }], ['b', 'g2', 'd2', {}]]);
  expect(readState(tempDir('es-state-empty-'))).toEqual({ streams: {}, queues: {} });
});
