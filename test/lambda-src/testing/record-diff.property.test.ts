/**
 * The diff in a failure message (lambda-src/testing/record-diff.ts): for any two records, its
 * lines without their markers give back both pretty JSONs (expected: the lines not marked `+`,
 * actual: the lines not marked `-`), and it marks no line that both share in place: a diff of a
 * record with itself marks nothing.
 *
 * fast-check prints the seed of each property; FC_SEED=<seed> replays it (test/support/arbitraries.ts).
 */
import * as fc from 'fast-check';
import { prettyJson, recordDiff, sameJson } from '../../../lambda-src/testing/record-diff';
import { runs } from '../../support/arbitraries';

const record = fc.option(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }), { nil: undefined });

/** A record and a few edits of it, so that most pairs share lines. */
const pair = record.chain((expected) => fc.tuple(
  fc.constant(expected),
  fc.oneof(record, fc.constant(expected), fc.record({ key: fc.string({ maxLength: 3 }), value: fc.jsonValue({ maxDepth: 1 }) })
    .map(({ key, value }) => (expected === undefined ? { [key]: value } : { ...expected, [key]: value }))),
));

test('the diff\'s lines, markers removed, reconstruct both pretty JSONs', () => {
  fc.assert(fc.property(pair, ([expected, actual]) => {
    const [head, ...lines] = recordDiff(expected, actual).split('\n');
    expect(head).toBe('- expected');
    expect(lines.shift()).toBe('+ actual');
    for (const line of lines) expect(line).toMatch(/^[-+ ] /);
    const side = (skip: string) => lines.filter((l) => !l.startsWith(skip)).map((l) => l.slice(2)).join('\n');
    expect(side('+')).toBe(prettyJson(expected));
    expect(side('-')).toBe(prettyJson(actual));
    // A longest common subsequence: no more marked lines than the two sides' lengths force.
    const changed = lines.filter((l) => !l.startsWith(' ')).length;
    const [a, b] = [prettyJson(expected).split('\n'), prettyJson(actual).split('\n')];
    expect(changed).toBeGreaterThanOrEqual(Math.abs(a.length - b.length));
    if (sameJson(expected, actual)) expect(changed).toBe(0);
    else expect(changed).toBeGreaterThan(0);
  }), runs(300));
});

test('keys are sorted, so the order fields were set in does not show', () => {
  expect(recordDiff({ b: 1, a: 2 }, { a: 2, b: 1 })).toBe('- expected\n+ actual\n  {\n    "a": 2,\n    "b": 1\n  }');
  expect(recordDiff({ a: 1 }, undefined)).toBe('- expected\n+ actual\n- {\n-   "a": 1\n- }\n+ (no record)');
});
