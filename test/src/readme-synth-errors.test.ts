import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ApiAuthorization, ApiKind, EventSourcedApi, EventSourcedApiProps, IndexKeyType, WritePath } from '../../src';
import { COUNTER, FIXTURES } from '../support/synth';
import { templateOf } from '../support/templates';

/**
 * Every promise the README and the guides in docs/ make about misuse caught at synth has a case
 * here. The promises are found by their wording (a paragraph, list item or table row saying "synth
 * error", "fails at synth", "synth warns"...), and each must contain the `promise` phrase of a
 * case, so a new promise without a case fails this test, and so does a case whose promise the
 * documentation dropped.
 * A case synthesizes the misuse and checks that the message names the prop; a promise tested at
 * length elsewhere names that test instead (`testedIn`).
 */
const ROOT = path.join(__dirname, '..', '..');
// The TypeScript walkthrough is left out: its synth failures are ts-node's, not the construct's.
const WALKTHROUGH = 'getting-started-typescript.md';
const DOCS = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md') && f !== WALKTHROUGH).map((f) => path.join('docs', f))];
const PROMISE_WORDING = /\bsynth (error|fails|warns|refuses)|\bfails? (at )?synth\b|\bat synth time\b.*\bfails?\b/i;

/** Paragraphs, list items and table rows of the README and guides outside code blocks, whitespace collapsed. */
function readmeBlocks(): string[] {
  return DOCS.flatMap((file) => proseBlocks(fs.readFileSync(path.join(ROOT, file), 'utf8')));
}

function proseBlocks(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '');
  return prose.split(/\n\s*\n|\n(?=\s*[-|] )|\n(?=\|)/).map((block) => block.replace(/\s+/g, ' ').trim()).filter(Boolean);
}

const view = (name: string, entry = COUNTER) => ({ name, entry });

/** Builds an API in a fresh stack and synthesizes it; returns its warnings. */
function synth(props: EventSourcedApiProps | ((stack: Stack) => EventSourcedApiProps)): string[] {
  const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
  new EventSourcedApi(stack, 'Api', typeof props === 'function' ? props(stack) : props);
  templateOf(stack);
  return Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
}

interface Case {
  /** A phrase of the documentation's promise (whitespace collapsed). */
  readonly promise: string;
  /** Misuses and the message each fails synth with (or warns with, for a promise of a warning). */
  readonly misuses?: ReadonlyArray<readonly [props: EventSourcedApiProps | ((stack: Stack) => EventSourcedApiProps), message: RegExp]>;
  readonly warns?: boolean;
  /** A test elsewhere that keeps this promise: [file under test/src, test name]. */
  readonly testedIn?: readonly [string, string];
}

const existingApi = (stack: Stack) => new apigateway.RestApi(stack, 'Theirs').root.addResource('events');

const CASES: Case[] = [
  {
    promise: 'Misuse fails at synth time with a message naming the prop: duplicate or invalid view names',
    misuses: [
      [{ projections: [view('a'), view('b'), view('a')] }, /projections\[2\]\.name "a" is used by more than one projection/],
      [{ projections: [view('Orders')] }, /projections\[0\]\.name "Orders" is invalid/],
    ],
  },
  {
    promise: 'reserved names (`events`, `streams`)',
    misuses: [
      [{ projections: [view('events')] }, /projections\[0\]\.name "events" is reserved/],
      [{ projections: [view('streams')] }, /projections\[0\]\.name "streams" is reserved/],
    ],
  },
  {
    promise: 'a missing or unbundleable `entry`',
    misuses: [
      [{ projections: [view('a', path.join(FIXTURES, 'missing.ts'))] }, /projections\[0\]\.entry ".*missing\.ts" does not exist/],
      [{ projections: [view('a', path.join(FIXTURES, 'broken-syntax.ts'))] }, /Projection "a": could not bundle entry .*broken-syntax\.ts/],
    ],
  },
  {
    promise: 'or one whose exports the aggregator would refuse',
    misuses: [
      [{ projections: [view('a', path.join(FIXTURES, 'exports', 'handler-typo.ts'))] }, /projection "a" entry ".*handler-typo\.ts" exports `handler` \(did you mean `handlers`\?\)/],
    ],
  },
  {
    promise: 'an unknown `defaultView`',
    misuses: [[{ projections: [view('a')], defaultView: 'b' }, /defaultView "b" is not one of the projections \(a\)/]],
  },
  {
    promise: 'API options with `api.enabled: false`',
    misuses: [[{ api: { enabled: false, authorization: ApiAuthorization.none() } }, /api\.enabled is false, so api\.authorization cannot be set/]],
  },
  {
    promise: 'numbers out of range',
    misuses: [
      [{ maxBodyBytes: 0 }, /maxBodyBytes must be a whole number from 1 to 245760, got 0/],
      [{ projections: [{ ...view('a'), batchSize: 11 }] }, /projections\[0\]\.batchSize must be a whole number from 1 to 10, got 11/],
    ],
  },
  {
    promise: 'a version with no upcaster from the version before is a synth error naming the type',
    testedIn: ['event-versions.test.ts', 'a version with no upcaster from the version before'],
  },
  {
    promise: 'so both `eventVersions` and `upcasters` are a synth error there',
    testedIn: ['event-versions.test.ts', 'WritePath.DIRECT has no writer Lambda to store versions'],
  },
  {
    // docs/queries.md: declared indexes (every rule is tested in test/src/view-indexes.test.ts).
    promise: 'Synth refuses, naming the entry:',
    misuses: [
      [{ projections: [{ ...view('v'), indexes: Array.from({ length: 21 }, (_, i) => ({ name: `ix${i}`, partitionKey: { field: `f${i}`, type: IndexKeyType.STRING } })) }] },
        /projections\[0\]\.indexes: 21 given/],
      [{ projections: [{ ...view('v'), indexes: [{ name: 'byX', partitionKey: { field: 'version', type: IndexKeyType.NUMBER } }] }] },
        /projections\[0\]\.indexes\[0\]\.partitionKey\.field "version" cannot be indexed/],
    ],
  },
  {
    promise: 'Past that, synth fails naming the stack\'s count',
    testedIn: ['validation.test.ts', 'an API with 40 views fails at synth with its own message, naming the views, what each costs and how many fit'],
  },
  {
    promise: '| API keys and usage plans | `apiKeyRequired`, `usagePlan` | none (a synth error names the prop) |',
    misuses: [[{ api: { kind: ApiKind.HTTP, apiKeyRequired: true } }, /api\.apiKeyRequired/]],
  },
  {
    promise: 'stay yours (setting them here is a synth error naming the prop)',
    misuses: [
      [(stack) => ({ api: { existingApiResource: existingApi(stack), stageName: 'v1' } }), /api\.stageName cannot be set with api\.existingApiResource/],
      [(stack) => ({ api: { existingApiResource: existingApi(stack), throttlingRateLimit: 5 } }), /api\.throttlingRateLimit cannot be set with api\.existingApiResource/],
    ],
  },
  {
    promise: '| `eventSchemas`, `unknownEventTypes`, `writer` tuning | available | synth error: there is no writer |',
    misuses: [
      [{ api: { writePath: WritePath.DIRECT }, eventSchemas: { A: { type: 'object' } } }, /eventSchemas cannot be set with api\.writePath: WritePath\.DIRECT/],
      [{ api: { writePath: WritePath.DIRECT }, writer: { memorySize: 512 } }, /writer cannot be set with api\.writePath: WritePath\.DIRECT/],
    ],
  },
  {
    promise: 'An imported key\'s policy cannot be changed from a stack: synth warns and lists what it must allow',
    warns: true,
    misuses: [[(stack) => ({ encryptionKey: kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:111111111111:key/abc') }), /encryptionKey is imported, so its key policy cannot be changed here\. It must let sns\.amazonaws\.com/]],
  },
  {
    promise: 'aggregator would refuse (and park every event) fails synth, naming the view and the entry',
    misuses: [
      [{ projections: [view('orders', path.join(FIXTURES, 'exports', 'empty.js'))] }, /projection "orders" entry ".*empty\.js" exports nothing/],
      [{ projections: [view('orders', path.join(FIXTURES, 'exports', 'not-a-function.ts'))] }, /projection "orders" entry ".*not-a-function\.ts" handler for event type "ItemReceived" is not a function/],
    ],
  },
  {
    promise: 'an unknown keyword or format is a synth error naming the event type',
    misuses: [
      [{ eventSchemas: { Bad: { type: 'object', propertiez: {} } } }, /eventSchemas\["Bad"\] is not a JSON Schema the writer can use: .*unknown keyword: "propertiez"/],
      [{ eventSchemas: { Odd: { type: 'string', format: 'colour' } } }, /eventSchemas\["Odd"\] .*unknown format "colour"/],
    ],
  },
];

describe('the README\'s and guides\' promises of errors at synth', () => {
  const promises = readmeBlocks().filter((block) => PROMISE_WORDING.test(block));

  test('the documentation makes such promises, and each has a case here', () => {
    expect(promises.length).toBeGreaterThanOrEqual(8);
    const unclaimed = promises.filter((block) => !CASES.some((c) => block.includes(c.promise)));
    expect(unclaimed).toEqual([]);
  });

  test('each case\'s promise is still in the README or a guide', () => {
    const blocks = readmeBlocks();
    expect(CASES.filter((c) => !blocks.some((block) => block.includes(c.promise))).map((c) => c.promise)).toEqual([]);
  });

  test.each(CASES.filter((c) => c.misuses).map((c) => [c.promise, c] as const))('%s', (_promise, c) => {
    for (const [props, message] of c.misuses!) {
      if (c.warns) expect(synth(props)).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
      else expect(() => synth(props)).toThrow(message);
    }
  });

  test.each(CASES.filter((c) => c.testedIn).map((c) => [c.promise, c.testedIn!] as const))('%s: kept by %j', (_promise, [file, name]) => {
    const source = fs.readFileSync(path.join(__dirname, file), 'utf8');
    expect(source).toContain(`test('${name.replace(/'/g, '\\\'')}'`);
  });
});
