/**
 * fast-check arbitraries for hostile input: JSON whose keys collide with Object.prototype members
 * and with the event envelope, strings with unicode edge cases (lone surrogates included), numbers
 * at the edges of what JavaScript and DynamoDB hold, deep nesting and large sizes.
 *
 * fast-check prints the seed and path of a failing run; set FC_SEED (and FC_PATH) to replay it.
 */
import * as fc from 'fast-check';

/**
 * fc.assert parameters: a fixed number of runs from a seed that is printed (so a passing run can be
 * quoted and a failing one replayed), or the replay of a reported failure (FC_SEED, FC_PATH).
 */
export function runs(numRuns: number, options: { shrink?: boolean } = {}): fc.Parameters<unknown> {
  const replay = process.env.FC_SEED;
  const seed = replay === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(replay);
  console.info(`${expect.getState().currentTestName ?? 'property'}: ${numRuns} runs, seed ${seed} (replay: FC_SEED=${seed})`);
  // Without shrinking, a failure is reported as first found: for runs slow enough (end to end)
  // that shrinking would outlast the test's timeout and hide the counterexample.
  const endOnFailure = replay !== undefined || options.shrink === false;
  return { numRuns, seed, endOnFailure, ...(replay !== undefined && process.env.FC_PATH ? { path: process.env.FC_PATH } : {}) };
}

/** Every name on Object.prototype: constructor, __proto__, toString, hasOwnProperty, ... */
export const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype);

/** Fields the store or the API gives a meaning to. */
export const ENVELOPE_KEYS = ['type', 'id', 'eventId', 'expectedVersion', 'version', 'timestamp', 'data', 'streamId', 'state'];

/** Numbers at the edges: JSON text, so values JSON.parse rounds are represented as written. */
export const EDGE_NUMBER_TEXTS = [
  '0', '-0', '1', '-1', '0.1', '1e-130', '-1e-130', '1e-131', '5e-324', '9007199254740991', '-9007199254740991',
  '9007199254740992', '1e15', '1E2', '1.5e300', '1.7976931348623157e308', '123456789012345678901234567890', '2.5', '-0.0',
];

/** Keys that are ordinary data, however much they look like something else ("__proto__" aside). */
export const dataKey = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS.filter((k) => k !== '__proto__')) },
  { weight: 1, arbitrary: fc.constantFrom('data', 'streamId', 'state', 'a/b', 'x~y', 'é', '😀', '\u0000', 'a.b', '$x', ' ') },
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }) },
);

/** Any key, including the ones the writer refuses. */
export const key = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) },
  { weight: 2, arbitrary: fc.constantFrom(...ENVELOPE_KEYS) },
  { weight: 4, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.constantFrom('', 'a/b', 'x~y', '\u0000', 'é', '😀', '\ud800', 'a.b', '$x') },
);

export const text = fc.oneof(
  { weight: 5, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\n\t', '\u2028', '\ufeff', '\udc00x', 'x\ud83d', '😀', 'é'.repeat(300)) },
);

/** Strings that are valid Unicode, with the characters that need care (escapes, separators, BOM). */
export const wellFormedText = fc.oneof(
  { weight: 5, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\n\t', '\u2028', '\ufeff', '\u0000', '😀', '"\\', 'é'.repeat(300)) },
);

const storableNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e100, max: 1e100 })
    .filter((n) => (Number.isInteger(n) ? Number.isSafeInteger(n) : Math.abs(n) >= 1e-130)),
  fc.constantFrom(0, -0, 1e-130, -1e-130, 9007199254740991, -9007199254740991, 1e15, 0.1, 2.5),
);

/** JSON values from these strings, numbers and object keys, nested a few levels. */
function jsonOf(strings: fc.Arbitrary<string>, numbers: fc.Arbitrary<number>, keys: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  return fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      strings, numbers, fc.boolean(), fc.constant(null),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(keys, tie('value'), { maxKeys: 5, noNullPrototype: true }),
    ),
  })).value;
}

/** Whether a "__proto__" key appears anywhere in a value (fast-check's dictionaries make some on purpose). */
export function hasProtoKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  return Object.keys(value).some((k) => k === '__proto__' || hasProtoKey((value as Record<string, unknown>)[k]));
}

/** JSON values the store keeps exactly: every key but "__proto__", well-formed strings, storable numbers. */
export const storableValue = jsonOf(wellFormedText, storableNumber, dataKey).filter((v) => !hasProtoKey(v));

/** Event data the writer must store exactly. */
export const storableData = fc.dictionary(
  dataKey.filter((k) => !['type', 'id', 'eventId', 'expectedVersion', 'version', 'timestamp'].includes(k)),
  storableValue,
  { maxKeys: 6, noNullPrototype: true },
).filter((data) => !hasProtoKey(data));

const number = fc.oneof(
  fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(...EDGE_NUMBER_TEXTS.map(Number)),
);

/** A JSON value as a JavaScript value (no NaN or Infinity: JSON has none). */
export const jsonValue = jsonOf(text, number, key);

/** Arrays nested `depth` levels deep around a value. */
export const nested = fc.integer({ min: 28, max: 33 }).map((depth) => `${'['.repeat(depth)}1${']'.repeat(depth)}`);

/**
 * JSON text of a member value: usually serialized from `jsonValue`, sometimes written by hand so
 * that number spellings JSON.stringify never produces (1E2, -0.0, 30-digit integers) and deep
 * nesting reach the parser.
 */
export const memberText = fc.oneof(
  { weight: 8, arbitrary: jsonValue.map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.constantFrom(...EDGE_NUMBER_TEXTS) },
  { weight: 1, arbitrary: nested },
  // A lone surrogate written as an escape, which JSON.stringify would also write.
  { weight: 1, arbitrary: fc.constantFrom('"\\ud800"', '{"\\udfff":1}', '"\\u0000"', '"a\\"b"') },
);
