import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { EventSourcedApi } from '../../src';
import { COUNTER, FIXTURES } from '../support/synth';
import { templateOf } from '../support/templates';

// Projection entries with the wrong exports: the aggregator would refuse them when it starts and
// park every event, so synth refuses them first. Fixtures in test/fixtures/projections/exports.
const EXPORTS = path.join(FIXTURES, 'exports');

function synthView(file: string) {
  const stack = new Stack(new App(), 'S');
  const entry = file === COUNTER ? COUNTER : path.join(EXPORTS, file);
  new EventSourcedApi(stack, 'Api', { projections: [{ name: 'orders', entry }] });
  templateOf(stack);
  const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('projection "orders" entry'));
  return warnings.map((w) => String(w.entry.data));
}

describe('what a projection entry exports is checked at synth, by the aggregator\'s own rules', () => {
  test.each([
    ['handler-typo.ts', /^projection "orders" entry ".*handler-typo\.ts" exports `handler` \(did you mean `handlers`\?\); it must export `handlers`/],
    ['empty.js', /^projection "orders" entry ".*empty\.js" exports nothing; it must export `handlers`/],
    ['not-a-function.ts', /^projection "orders" entry ".*not-a-function\.ts" handler for event type "ItemReceived" is not a function \(it is an object\)/],
    // Printing and a running timer at top level do not keep the check from answering.
    ['prints-and-lingers.ts', /entry ".*prints-and-lingers\.ts" exports `handler` \(did you mean `handlers`\?\)/],
  ])('%s fails synth, naming the projection, the entry and what it exports', (file, message) => {
    expect(() => synthView(file)).toThrow(message);
  });

  test.each([
    [COUNTER, 'export const handlers'],
    ['flat-commonjs.js', 'module.exports = { EventType: fn }, the CommonJS twin of export default { EventType: fn }'],
    ['sdk-used-in-handler.ts', 'an AWS SDK package missing at synth that only a handler uses'],
  ])('%s synthesizes without a warning (%s)', (file) => {
    expect(synthView(file)).toEqual([]);
  });

  test.each([
    ['sdk-used-at-load.js', /could not check what it exports at synth: it uses @aws-sdk\/client-not-installed-here while loading, which the Lambda runtime provides but is not installed here/],
    ['throws-at-load.js', /could not check what it exports at synth: loading it threw: SOME_SETTING_ONLY_LAMBDA_HAS is not set/],
    ['exits-at-load.js', /could not check what it exports at synth: the process loading it exited with code 3/],
  ])('%s cannot be loaded at synth: synth goes on with a warning saying why', (file, message) => {
    const warnings = synthView(file);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(message);
    expect(warnings[0]).toMatch(/The aggregator checks it when it starts/);
  });
});
