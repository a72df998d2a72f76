/**
 * The scan of JSON text for what JSON.parse would drop or round without a word: repeated keys
 * and numbers a JavaScript number cannot hold. Pure: no DynamoDB.
 *
 * fast-check prints the seed of each property; FC_SEED=<seed> replays it (test/support/arbitraries.ts).
 */
import * as fc from 'fast-check';
import { findJsonTextProblem, isExactNumber } from '../../../lambda-src/core/json-text';
import { jsonValue, runs } from '../../support/arbitraries';

/** RFC 6901, written here rather than imported, so the test does not take the code's word for it. */
const pointerSegment = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

const DUPLICATE = 'appears more than once in one object; JSON parsing keeps only the last one, so send each key once';

describe('repeated keys', () => {
  test.each([
    ['{"a":1,"a":2}', '/a'],
    ['{"a":1,"b":2,"a":1}', '/a'],
    ['{"a":1,"\\u0061":2}', '/a'],
    ['{"\\u00e9":1,"é":1}', '/é'],
    ['{"\\ud800":1,"\\uD800":1}', '/\ud800'],
    ['{"type":"A","id":"s","type":"A"}', '/type'],
    ['{"id":"s","type":"A","id":"t"}', '/id'],
    ['{"x":[0,{"b":[1,2,{"c":1,"c":1}]}]}', '/x/1/b/2/c'],
    ['{"a/b":{"~":{"k":[],"k":{}}}}', '/a~1b/~0/k'],
    ['{"a":{},"b":1,"b":2}', '/b'],
    ['[{},"x",{"a":1,"a":1}]', '/2/a'],
    ['{ "a" : 1 ,\n\t"a" : 2 }', '/a'],
    ['{"":1,"":2}', '/'],
    ['{"\\"":1,"\\u0022":2}', '/"'],
  ])('%s: %s', (text, path) => {
    expect(findJsonTextProblem(text)).toEqual({ path, reason: DUPLICATE });
  });

  test('the same key in different objects, and strings that look like keys, are fine', () => {
    for (const text of ['{"a":{"a":1},"b":{"a":2}}', '[{"a":1},{"a":1}]', '{"a":"a","b":["a","a"]}', '{"a":"\\"a\\":1,","b":{}}', '{"k\\\\":1,"k":2}']) {
      expect(findJsonTextProblem(text)).toBeUndefined();
    }
  });

  test('the first problem in the text is the one named', () => {
    expect(findJsonTextProblem('{"a":[1,1.00000000000000000001],"b":1,"b":2}')?.path).toBe('/a/1');
    expect(findJsonTextProblem('{"b":1,"b":2,"a":[1,1.00000000000000000001]}')?.path).toBe('/b');
  });
});

describe('numbers', () => {
  test.each([
    ['0.12345678901234567890123', '0.12345678901234568'],
    ['12345678901234567890', '12345678901234567000'],
    ['9007199254740993', '9007199254740992'],
    ['1.00000000000000000001', '1'],
    ['0.10000000000000000001', '0.1'],
    ['1e400', 'Infinity'],
    ['-1e400', '-Infinity'],
    ['1e-400', '0'],
    ['2.4703282292062328e-324', '5e-324'],
  ])('%s is refused: a JavaScript number holds %s', (token, held) => {
    expect(isExactNumber(token)).toBe(false);
    expect(findJsonTextProblem(`{"n":{"m":[0,${token}]}}`)).toEqual({
      path: '/n/m/1', reason: `is the number ${token}, which cannot be stored exactly (a JavaScript number holds ${held}); send it as a string`,
    });
  });

  test('a long number is shown shortened', () => {
    const token = `0.${'3'.repeat(100)}`;
    expect(findJsonTextProblem(`[${token}]`)?.reason).toBe(`is the number ${token.slice(0, 40)}..., which cannot be stored exactly (a JavaScript number holds ${1 / 3}); send it as a string`);
  });

  test.each([
    '0', '-0', '-0.0', '0e999', '0.000e-5', '1', '1.0', '1e0', '10E-1', '100000000000000000000e-20', '0.1', '0.100', '1E2', '100.0e+0',
    '9007199254740991', '9007199254740992', '1e300', '1.7976931348623157e308', '5e-324', '1e-130', '-2.5', '123456789012345680000',
    '0.000001', '1e-7', '1e21', '12345678901234567e-33',
  ])('%s is exact', (token) => {
    expect(isExactNumber(token)).toBe(true);
    expect(findJsonTextProblem(`{"n":[${token}]}`)).toBeUndefined();
  });
});

/** A decimal written as JSON allows: 0.<digits> x 10^scale, with leading or trailing zeros and any exponent. */
const spelling = (negative: boolean, digits: string, scale: number) => fc.record({
  leadingZeros: fc.nat(3),
  trailingZeros: fc.nat(3),
  point: fc.nat(40),
  exponent: fc.constantFrom('e', 'E', 'e+', 'E-', 'e-'),
  omitZeroExponent: fc.boolean(),
}).map(({ leadingZeros, trailingZeros, point, exponent, omitZeroExponent }) => {
  if (digits === '') return `${negative ? '-' : ''}0${trailingZeros ? `.${'0'.repeat(trailingZeros)}` : ''}${omitZeroExponent ? '' : `${exponent}${point}`}`;
  // JSON allows a leading zero only as the whole integer part ("0.00123").
  const all = `${'0'.repeat(leadingZeros)}${digits}${'0'.repeat(trailingZeros)}`;
  const wholeLength = leadingZeros > 0 ? 1 : 1 + (point % all.length);
  // 0.<all> x 10^wholeLength is 0.<digits> x 10^(wholeLength - leadingZeros): the exponent makes up the rest.
  const power = scale - wholeLength + leadingZeros;
  const fraction = all.slice(wholeLength);
  const written = power === 0 && omitZeroExponent ? '' : power < 0 ? `${exponent.replace('+', '').replace('-', '')}-${-power}`
    : `${exponent.replace('-', '')}${power}`;
  return `${negative ? '-' : ''}${all.slice(0, wholeLength)}${fraction ? `.${fraction}` : ''}${written}`;
});

/** The significant digits and scale of a double's shortest decimal: 0.<digits> x 10^scale. */
function shortestDecimal(value: number): { digits: string; scale: number } {
  if (value === 0) return { digits: '', scale: 0 };
  const [mantissa, exponent] = Math.abs(value).toExponential().split('e');
  return { digits: mantissa.replace('.', ''), scale: Number(exponent) + 1 };
}

const finiteDouble = fc.double({ noNaN: true, noDefaultInfinity: true });

describe('properties', () => {
  test('JSON.stringify output is never flagged, whatever the keys, strings, numbers and indentation', () => {
    fc.assert(fc.property(fc.oneof(jsonValue, fc.jsonValue()), fc.constantFrom(undefined, 2, '\t', ' \r\n'), (value, indent) => {
      const text = JSON.stringify(value, null, indent as string | number | undefined) ?? 'null';
      expect(findJsonTextProblem(text)).toBeUndefined();
    }), runs(1000));
  });

  test('every spelling of a double\'s value is exact: trailing zeros, leading zeros, the point moved by the exponent', () => {
    const exactSpelling = finiteDouble.chain((value) => {
      const { digits, scale } = shortestDecimal(value);
      return spelling(Object.is(value, -0) || value < 0, digits, scale).map((token) => ({ value, token }));
    });
    fc.assert(fc.property(exactSpelling, ({ value, token }) => {
      expect(Number(token)).toBe(value);
      expect(isExactNumber(token)).toBe(true);
      expect(findJsonTextProblem(`{"n":${token}}`)).toBeUndefined();
    }), runs(1000));
  });

  test('a number with more significant digits than a double holds (18 or more) is always flagged, however it is spelled', () => {
    const significant = fc.oneof(
      // Close to a double: its shortest digits, then a nonzero digit past the 17th.
      fc.tuple(finiteDouble.filter((v) => v !== 0), fc.integer({ min: 1, max: 9 }), fc.nat(20)).map(([value, last, gap]) => {
        const { digits, scale } = shortestDecimal(value);
        return { negative: value < 0, digits: `${digits}${'0'.repeat(Math.max(0, 17 - digits.length) + gap)}${last}`, scale };
      }),
      // Anywhere: 18 to 40 digits, the first and the last nonzero.
      fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 9 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 16, maxLength: 38 }),
        fc.integer({ min: 1, max: 9 }), fc.integer({ min: -330, max: 330 }))
        .map(([negative, first, middle, last, scale]) => ({ negative, digits: `${first}${middle.join('')}${last}`, scale })),
    );
    fc.assert(fc.property(significant.chain(({ negative, digits, scale }) => spelling(negative, digits, scale)), (token) => {
      expect(isExactNumber(token)).toBe(false);
      expect(findJsonTextProblem(`{"n":[${token}]}`)?.path).toBe('/n/0');
    }), runs(1000));
  });

  test('a repeated key or a lossy number injected anywhere is the problem named, by its JSON Pointer', () => {
    const flawed = fc.record({
      value: fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), fc.jsonValue({ maxDepth: 4 }), { minKeys: 1, maxKeys: 5 }),
      flaw: fc.constantFrom('duplicate', 'number'),
      at: fc.nat(),
      // Per character of the repeated key: written as JSON.stringify does, or as \uXXXX.
      escapes: fc.array(fc.boolean(), { maxLength: 8 }),
      repeatedValue: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
      lossy: fc.constantFrom('0.12345678901234567890123', '12345678901234567890', '-1.00000000000000000001e-5', '1e400', '1E-400', '9007199254740993'),
      indent: fc.constantFrom(undefined, 1),
    });
    fc.assert(fc.property(flawed, ({ value, flaw, at, escapes, repeatedValue, lossy, indent }) => {
      const sites = flaw === 'duplicate' ? memberSites(value) : valueSites(value);
      const site = sites[at % sites.length];
      const text = writeWith(value, '', (path, key) => {
        if (flaw === 'number' && key === undefined && path === site) return lossy;
        if (flaw === 'duplicate' && key !== undefined && `${path}/${pointerSegment(key)}` === site) {
          const respelled = [...key].map((ch, i) => (escapes[i % Math.max(1, escapes.length)] ? ch.split('').map(unicodeEscape).join('') : JSON.stringify(ch).slice(1, -1)));
          return `"${respelled.join('')}":${repeatedValue}`;
        }
        return undefined;
      }, indent);
      expect(JSON.parse(text)).toBeDefined();
      expect(findJsonTextProblem(text)?.path).toBe(site);
    }), runs(1000));
  });
});

const unicodeEscape = (unit: string) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Pointers of every object member, in text order. */
function memberSites(value: unknown, path = ''): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const at = Array.isArray(value) ? `${path}/${k}` : `${path}/${pointerSegment(k)}`;
    return Array.isArray(value) ? memberSites(v, at) : [at, ...memberSites(v, at)];
  });
}

/** Pointers of every value below the root, in text order. */
function valueSites(value: unknown, path = ''): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const at = `${path}/${Array.isArray(value) ? k : pointerSegment(k)}`;
    return [at, ...valueSites(v, at)];
  });
}

/**
 * JSON text of a value, as JSON.stringify writes it, except where `edit` answers: called with a
 * value's pointer, it may replace the value's text; called with an object's pointer and a key
 * just written, it may add a member after it.
 */
function writeWith(value: unknown, path: string, edit: (path: string, key?: string) => string | undefined, indent?: number): string {
  const replaced = edit(path);
  if (replaced !== undefined) return replaced;
  const gap = indent ? '\n' : '';
  if (Array.isArray(value)) return `[${gap}${value.map((v, i) => writeWith(v, `${path}/${i}`, edit, indent)).join(`,${gap}`)}${gap}]`;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const members = Object.entries(value).flatMap(([k, v]) => {
    const member = `${JSON.stringify(k)}:${indent ? ' ' : ''}${writeWith(v, `${path}/${pointerSegment(k)}`, edit, indent)}`;
    const added = edit(path, k);
    return added === undefined ? [member] : [member, added];
  });
  return `{${gap}${members.join(`,${gap}`)}${gap}}`;
}
