/**
 * The shared rules of declared indexes: names, the fingerprint of a set, the attributes a record
 * gives its indexes and what DynamoDB would refuse, key parsing and key order.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  compareKeyValues, describeIndexKeyProblem, gsiName, indexAttributes, indexDefinition, indexesFingerprint, keyAttribute,
  parseKeyValue, readIndexesFile, type IndexSpec,
} from '../../../lambda-src/core/view-indexes';

const byCustomer: IndexSpec = { name: 'byCustomer', partitionKey: { field: 'customer', type: 'S' }, sortKey: { field: 'placedAt', type: 'N' } };
const byStatus: IndexSpec = { name: 'byStatus', partitionKey: { field: 'status', type: 'S' } };
const byAge: IndexSpec = { name: 'byAge', partitionKey: { field: 'age', type: 'N' } };

test('names: the GSI and the key attributes of an index', () => {
  expect(gsiName('byCustomer')).toBe('ix_byCustomer');
  expect(keyAttribute('byCustomer', 'pk')).toBe('ix_byCustomer_pk');
  expect(keyAttribute('byCustomer', 'sk')).toBe('ix_byCustomer_sk');
});

test('a definition is canonical JSON: the same index whatever the order of its keys', () => {
  const shuffled = { sortKey: { type: 'N', field: 'placedAt' }, partitionKey: { type: 'S', field: 'customer' }, name: 'byCustomer' } as IndexSpec;
  expect(indexDefinition(shuffled)).toBe(indexDefinition(byCustomer));
  expect(indexDefinition(byStatus)).toBe('{"name":"byStatus","partitionKey":{"field":"status","type":"S"}}');
  expect(indexDefinition({ ...byCustomer, sortKey: { field: 'placedAt', type: 'S' } })).not.toBe(indexDefinition(byCustomer));
});

test('the fingerprint is 12 hex characters, stable under reordering, and changes with any definition', () => {
  const fp = indexesFingerprint([byCustomer, byStatus, byAge]);
  expect(fp).toMatch(/^[0-9a-f]{12}$/);
  expect(indexesFingerprint([byAge, byStatus, byCustomer])).toBe(fp);
  expect(indexesFingerprint([byStatus, byAge, byCustomer])).toBe(fp);
  expect(indexesFingerprint([byCustomer, byStatus])).not.toBe(fp);
  expect(indexesFingerprint([byCustomer, byStatus, { ...byAge, partitionKey: { field: 'age', type: 'S' } }])).not.toBe(fp);
  expect(indexesFingerprint([byCustomer, byStatus, { ...byAge, name: 'byYears' }])).not.toBe(fp);
});

describe('indexAttributes', () => {
  const specs = [byCustomer, byStatus, byAge];
  const ixv = { S: indexesFingerprint(specs) };

  test('a record with every key field gets each index\'s keys, and the fingerprint', () => {
    expect(indexAttributes({ customer: 'c-1', placedAt: 1700, status: 'open', age: 42, other: 'x' }, specs)).toEqual({
      attributes: {
        ixv,
        ix_byCustomer_pk: { S: 'c-1' },
        ix_byCustomer_sk: { N: '1700' },
        ix_byStatus_pk: { S: 'open' },
        ix_byAge_pk: { N: '42' },
      },
    });
  });

  test('absent, null or "" leaves the record out of that index; without its sort key, out of it altogether', () => {
    for (const missing of [undefined, null, '']) {
      expect(indexAttributes({ customer: 'c-1', placedAt: missing, status: missing, age: 0 }, specs)).toEqual({
        attributes: { ixv, ix_byAge_pk: { N: '0' } },
      });
    }
    expect(indexAttributes({ placedAt: 5 }, specs)).toEqual({ attributes: { ixv } });
  });

  test('no record, or no indexes: the fingerprint only, or nothing', () => {
    expect(indexAttributes(undefined, specs)).toEqual({ attributes: { ixv } });
    expect(indexAttributes({ customer: 'c-1' }, [])).toEqual({ attributes: {} });
  });

  test('a value of another type is a problem naming field, index, role and type; that index alone is left out', () => {
    const { attributes, problem } = indexAttributes({ customer: 'c-1', placedAt: '2024', status: 'open', age: '42' }, specs);
    expect(problem).toEqual({ index: 'byCustomer', field: 'placedAt', role: 'sort', expected: 'N', found: 'a string' });
    expect(describeIndexKeyProblem(problem!)).toBe('field "placedAt" is a string; index "byCustomer" expects a number as its sort key');
    // The other indexes keep their attributes (byAge has a problem too: only the first is reported).
    expect(attributes).toEqual({ ixv, ix_byStatus_pk: { S: 'open' } });
    const age = indexAttributes({ age: '42' }, [byAge]).problem!;
    expect(describeIndexKeyProblem(age)).toBe('field "age" is a string; index "byAge" expects a number as its partition key');
  });

  test('a wrong type is a problem even when the other key is absent', () => {
    expect(indexAttributes({ customer: 7 }, [byCustomer]).problem).toMatchObject({ field: 'customer', role: 'partition', expected: 'S', found: 'a number' });
  });

  test.each([
    [{ status: true }, 'a boolean'],
    [{ status: ['a'] }, 'an array'],
    [{ status: { a: 1 } }, 'an object'],
  ])('%j is not a string key: %s', (state, found) => {
    expect(indexAttributes(state, [byStatus]).problem).toMatchObject({ found });
  });

  test('string keys: up to 2048 UTF-8 bytes for a partition key, 1024 for a sort key', () => {
    const sorted: IndexSpec = { name: 'byName', partitionKey: { field: 'p', type: 'S' }, sortKey: { field: 's', type: 'S' } };
    expect(indexAttributes({ p: 'é'.repeat(1024), s: 'é'.repeat(512) }, [sorted]).problem).toBeUndefined();
    expect(indexAttributes({ p: 'é'.repeat(1024) + 'x', s: 'a' }, [sorted]).problem).toMatchObject({
      field: 'p', role: 'partition', found: 'a string of 2049 UTF-8 bytes (at most 2048 fit)',
    });
    expect(indexAttributes({ p: 'a', s: 'x'.repeat(1025) }, [sorted]).problem).toMatchObject({ field: 's', role: 'sort' });
  });

  test('number keys: only numbers DynamoDB stores', () => {
    for (const ok of [0, -0.5, 1e125, -9.99e125, 1e-130, Number.MAX_SAFE_INTEGER]) {
      expect(indexAttributes({ age: ok }, [byAge]).problem).toBeUndefined();
    }
    for (const bad of [1e126, -1e200, 1e-131, Infinity, NaN]) {
      expect(indexAttributes({ age: bad }, [byAge]).problem).toMatchObject({ field: 'age', found: `the number ${bad}, which DynamoDB cannot store` });
    }
  });

  test('a field inherited from the prototype is not the record\'s', () => {
    expect(indexAttributes({}, [{ name: 'byC', partitionKey: { field: 'constructor', type: 'S' } }])).toEqual({
      attributes: { ixv: { S: indexesFingerprint([{ name: 'byC', partitionKey: { field: 'constructor', type: 'S' } }]) } },
    });
  });
});

test('parseKeyValue: strings as they are (not empty); numbers normalised, finite and storable only', () => {
  expect(parseKeyValue('c-1', 'S')).toEqual({ S: 'c-1' });
  expect(parseKeyValue(' 42 ', 'S')).toEqual({ S: ' 42 ' });
  expect(parseKeyValue('', 'S')).toBeUndefined();
  expect(parseKeyValue('1.50', 'N')).toEqual({ N: '1.5' });
  expect(parseKeyValue('-7', 'N')).toEqual({ N: '-7' });
  expect(parseKeyValue('1e3', 'N')).toEqual({ N: '1000' });
  for (const bad of ['', ' ', 'abc', '12abc', 'Infinity', 'NaN', '1e126', '1e-131']) expect(parseKeyValue(bad, 'N')).toBeUndefined();
});

test('compareKeyValues: numbers numerically, strings by UTF-8 bytes', () => {
  expect(compareKeyValues(2, 10)).toBeLessThan(0);
  expect(compareKeyValues(-1, -2)).toBeGreaterThan(0);
  expect(compareKeyValues(3, 3)).toBe(0);
  expect(compareKeyValues('10', '2')).toBeLessThan(0);
  // JavaScript compares UTF-16 code units, where U+FF5E and U+E000 come after U+1F600's high
  // surrogate (0xD83D); by UTF-8 bytes (EF..., EE... < F0...) they come before it, as in DynamoDB.
  expect('\uff5e' < '\u{1f600}').toBe(false);
  expect(compareKeyValues('\uff5e', '\u{1f600}')).toBeLessThan(0);
  expect(compareKeyValues('\ue000', '\u{1f600}')).toBeLessThan(0);
  expect(compareKeyValues('a', 'a')).toBe(0);
  expect(() => compareKeyValues('1', 1)).toThrow(/cannot compare/);
});

test('readIndexesFile reads the JSON array the construct writes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'view-indexes-'));
  try {
    const file = path.join(dir, 'view-indexes.json');
    fs.writeFileSync(file, JSON.stringify([byCustomer, byStatus]));
    expect(readIndexesFile(file)).toEqual([byCustomer, byStatus]);
    fs.writeFileSync(file, '{}');
    expect(() => readIndexesFile(file)).toThrow(/must hold a JSON array/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
