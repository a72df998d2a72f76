/**
 * What a failed event reports (lambda-src/core/describe-value.ts `messageOf`): its error's message,
 * whatever realm made the error. Under jest, a module the kit loads from a file runs in Node's own
 * realm, not the test's, so its errors are not `instanceof` the test's `Error`.
 */
import * as vm from 'node:vm';
import { messageOf } from '../../../lambda-src/core/describe-value';
import { projectionSpec } from '../../../lambda-src/testing/index';

const foreign = { handlers: { Boom: () => { throw vm.runInNewContext('new Error("from elsewhere")'); } } };

test('an error from another realm is reported by its message, as node\'s test runner reports it', async () => {
  expect(messageOf(vm.runInNewContext('new TypeError("typed")'))).toBe('typed');
  expect((await projectionSpec(foreign).when({ type: 'Boom' }).run()).failure?.message).toBe('from elsewhere');
  await expect(projectionSpec(foreign).when({ type: 'Boom' }).then({})).rejects.toThrow(/parked\):\nfrom elsewhere$/);
});

test('what is not an error is reported as its text', async () => {
  expect(messageOf('a string')).toBe('a string');
  expect(messageOf({ message: 'not an error' })).toBe('[object Object]');
  expect(messageOf(undefined)).toBe('undefined');
  await expect(projectionSpec({ handlers: { Boom: () => { throw 'thrown text'; } } }).when({ type: 'Boom' }).run())
    .resolves.toMatchObject({ failure: { message: 'thrown text' } });
});

test('an upcaster\'s error from another realm reads as in Lambda, without an "Error: " of its own', async () => {
  const upcasters = { upcasters: { Boom: { 1: () => { throw vm.runInNewContext('new Error("cannot upcast")'); } } } };
  const spec = projectionSpec(foreign, { upcasters, eventVersions: [{ type: 'Boom', currentVersion: 2 }] });
  await spec.when({ type: 'Boom', schemaVersion: 1 }).thenFails(/^Upcaster for "Boom" from version 1 to 2 threw: cannot upcast$/);
});
