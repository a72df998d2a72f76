/**
 * Spec files (lambda-src/testing/spec-file.ts, spec-run.ts, junit.ts): what a JSON or YAML file
 * means, every mistake in one reported with the file and the case, `runSpecFile`'s results (never
 * a throw), and the JUnit XML CI servers read, parsed back.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fc from 'fast-check';
import { junitXml, runSpecFile, SpecUsageError } from '../../../lambda-src/testing/index';
import { readSpecFile } from '../../../lambda-src/testing/spec-file';
import { runs } from '../../support/arbitraries';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'es-api-spec-file-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A projection beside the spec files: counts, totals amounts, forgets, and throws on a bad amount. */
fs.writeFileSync(path.join(dir, 'tally.js'), `
exports.handlers = {
  Added: (view, event) => {
    if (typeof event.data.amount !== 'number') throw new Error('amount must be a number, got ' + JSON.stringify(event.data.amount));
    return { count: (view ? view.count : 0) + 1, total: (view ? view.total : 0) + event.data.amount };
  },
  Forgotten: () => undefined,
};
`);

let fileCounter = 0;
/** Writes a spec file named like the projection beside it unless `name` says otherwise. */
function specFile(content: string | object, name = `tally-${++fileCounter}.spec.yaml`): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const GOOD = `
projection: ./tally.js
cases:
  - name: adds up
    given:
      - { type: Added, data: { amount: 2 } }
    when:
      - { type: Added, data: { amount: 3 } }
    then: { count: 2, total: 5 }
  - name: forgets
    given: [{ type: Added, data: { amount: 1 } }]
    when: [{ type: Forgotten }]
    thenDeleted: true
  - name: keeps what it does not handle
    given: [{ type: Added, data: { amount: 1 } }]
    when: [{ type: Renamed }]
    thenUnchanged: true
  - name: refuses a bad amount
    when: [{ type: Added, data: { amount: "x" } }]
    thenFails: { matches: 'must be a number, got "x"$' }
  - name: several streams
    streamId: a
    givenRecords: [{ record: { count: 10, total: 10 }, version: 4 }]
    when:
      - { type: Added, data: { amount: 1 } }
      - { type: Added, streamId: b, data: { amount: 7 } }
    thenRecords: { a: { count: 11, total: 11, version: 5 }, b: { count: 1, total: 7, id: b }, c: null }
`;

describe('readSpecFile', () => {
  test('reads every expectation, the file\'s options, and paths relative to the file', () => {
    const file = specFile(`streamId: s\nstreamIdField: key\nupcasters: up.ts\neventVersions: [{ type: Added, currentVersion: 1 }]\n${GOOD}`);
    const doc = readSpecFile(file);
    expect(doc.projection).toBe(path.join(dir, 'tally.js'));
    expect(doc.options).toEqual({ streamId: 's', streamIdField: 'key', upcasters: path.join(dir, 'up.ts'), eventVersions: [{ type: 'Added', currentVersion: 1 }] });
    expect(doc.cases.map((c) => c.expect)).toEqual([
      { kind: 'then', record: { count: 2, total: 5 }, streamId: undefined },
      { kind: 'thenDeleted', streamId: undefined },
      { kind: 'thenUnchanged', streamId: undefined },
      { kind: 'thenFails', pattern: /must be a number, got "x"$/ },
      { kind: 'thenRecords', records: { a: { count: 11, total: 11, version: 5 }, b: { count: 1, total: 7, id: 'b' }, c: null } },
    ]);
    // A case's streamId goes to its events and given records that name none.
    expect(doc.cases[4].when).toEqual([{ type: 'Added', streamId: 'a', data: { amount: 1 } }, { type: 'Added', streamId: 'b', data: { amount: 7 } }]);
    expect(doc.cases[4].givenRecords).toEqual([{ record: { count: 10, total: 10 }, version: 4, streamId: 'a' }]);
  });

  test('JSON works the same; a file without `projection` names the module beside it', () => {
    fs.writeFileSync(path.join(dir, 'beside.ts'), 'export const handlers = {};\n');
    const file = specFile({ cases: [{ name: 'n', when: [{ type: 'A' }], thenFails: 'boom' }] }, 'beside.spec.json');
    expect(readSpecFile(file)).toMatchObject({ projection: path.join(dir, 'beside.ts'), cases: [{ name: 'n', expect: { kind: 'thenFails', pattern: 'boom' } }] });
    expect(readSpecFile(specFile({ cases: [{ name: 'n', when: [{ type: 'A' }], thenFails: true }] }, 'alone.spec.json')).projection).toBeUndefined();
  });

  const when = '    when: [{ type: Added }]\n';
  test.each([
    ['an unknown top-level key', 'projection: ./tally.js\nprojections: x\ncases: []\n', /: the file: unknown key "projections" \(known: projection, streamId/],
    ['an unknown case key', `cases:\n  - name: first\n${when}    then: {}\n    thenn: {}\n`, /: cases\[0\]: unknown key "thenn"/],
    ['two expectations', `cases:\n  - name: first\n${when}    then: {}\n  - name: second\n${when}    then: {}\n    thenDeleted: true\n`,
      /: cases\[1\] \("second"\): needs exactly one of then, thenRecords, thenDeleted, thenUnchanged, thenFails, has then and thenDeleted/],
    ['no expectation', `cases:\n  - name: lonely\n${when}`, /: cases\[0\] \("lonely"\): needs exactly one of then, .*thenFails$/],
    ['no when', 'cases:\n  - name: idle\n    given: [{ type: Added }]\n    then: {}\n', /: cases\[0\] \("idle"\): needs "when": the events under test/],
    ['an empty when', 'cases:\n  - name: idle\n    when: []\n    then: {}\n', /: cases\[0\] \("idle"\): needs "when"/],
    ['bad YAML', 'cases:\n  - name: x\n   when: [\n', /: is not valid YAML: /],
    ['no cases', 'projection: ./tally.js\n', /: needs `cases`: a list of/],
    ['a case without a name', `cases:\n  - ${when.trim()}\n    then: {}\n`, /: cases\[0\]: needs a "name"/],
    ['duplicate case names', `cases:\n  - name: twin\n${when}    then: {}\n  - name: twin\n${when}    thenDeleted: true\n`,
      /: cases\[1\]: the name "twin" is used by another case/],
    ['thenDeleted: "yes"', `cases:\n  - name: c\n${when}    thenDeleted: "yes"\n`, /cases\[0\] \("c"\)\.thenDeleted must be true/],
    ['a bad regular expression', `cases:\n  - name: c\n${when}    thenFails: { matches: "(" }\n`, /cases\[0\] \("c"\)\.thenFails\.matches is not a regular expression/],
    ['an event that is not an object', 'cases:\n  - name: c\n    when: [Added]\n    then: {}\n', /cases\[0\] \("c"\)\.when\[0\] must be an event/],
    ['a record that is not an object', `cases:\n  - name: c\n${when}    then: [1]\n`, /cases\[0\] \("c"\)\.then must be the expected record/],
    ['an unknown givenRecords key', `cases:\n  - name: c\n${when}    givenRecords: [{ record: {}, versoin: 2 }]\n    then: {}\n`,
      /cases\[0\] \("c"\)\.givenRecords\[0\]: unknown key "versoin"/],
  ])('%s is a usage error naming the file and the case', (_what, content, message) => {
    const file = specFile(content);
    let error: unknown;
    try {
      readSpecFile(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SpecUsageError);
    expect((error as Error).message.startsWith(`${file}: `)).toBe(true);
    expect((error as Error).message).toMatch(message);
  });

  test('bad JSON and a missing file name the file', () => {
    expect(() => readSpecFile(specFile('{ "cases": [', 'broken.spec.json'))).toThrow(new RegExp(`^${escape(path.join(dir, 'broken.spec.json'))}: is not valid JSON: `));
    expect(() => readSpecFile(path.join(dir, 'missing.spec.yaml'))).toThrow(`${path.join(dir, 'missing.spec.yaml')}: cannot be read`);
  });
});

describe('runSpecFile', () => {
  test('runs every case and answers each one\'s result; a failure\'s message holds the diff or the error', async () => {
    const file = specFile(`${GOOD}
  - name: wrong total
    when: [{ type: Added, data: { amount: 1 } }]
    then: { count: 1, total: 2 }
  - name: unexpected failure
    when: [{ type: Added, data: { amount: null } }]
    then: { count: 1, total: 0 }
`);
    const result = await runSpecFile(file);
    expect(result).toMatchObject({ file, projection: path.join(dir, 'tally.js'), passed: false });
    expect(result.cases.map((c) => [c.name, c.passed])).toEqual([
      ['adds up', true], ['forgets', true], ['keeps what it does not handle', true], ['refuses a bad amount', true], ['several streams', true],
      ['wrong total', false], ['unexpected failure', false],
    ]);
    expect(result.cases[5].message).toMatch(/The record of stream "stream-1" is not the one expected \(after event 1 of stream "stream-1", Added \{"amount":1\}\)\n- expected\n\+ actual\n/);
    expect(result.cases[5].message).toContain('-   "total": 2\n+   "total": 1');
    expect(result.cases[6].message).toBe('Event 1 of stream "stream-1", Added {"amount":null} failed (in Lambda it would be retried, then parked):\namount must be a number, got null');
    for (const c of result.cases) expect(c.durationMs).toBeGreaterThanOrEqual(0);
    expect(result.cases.filter((c) => c.passed).every((c) => c.message === undefined)).toBe(true);
  });

  test('a passing file passes; overrides take precedence over the file\'s settings', async () => {
    const file = specFile(`projection: ./nowhere.js\nstreamIdField: nope\n${GOOD.replace('projection: ./tally.js\n', '')}`);
    expect((await runSpecFile(file)).passed).toBe(false);
    const result = await runSpecFile(file, { projection: path.join(dir, 'tally.js'), streamIdField: 'id' });
    expect(result.cases.filter((c) => !c.passed)).toEqual([]);
    expect(result.passed).toBe(true);
  });

  test('the file\'s upcasters (relative to it) and eventVersions upcast an older event before the projection sees it', async () => {
    fs.writeFileSync(path.join(dir, 'cents.js'), 'exports.handlers = { OrderPlaced: (view, e) => ({ cents: (view ? view.cents : 0) + e.data.amountCents, currency: e.data.currency }) };\n');
    const upcasters = path.relative(dir, path.join(__dirname, '../../fixtures/upcasters/orders.ts'));
    const file = specFile(`projection: ./cents.js
upcasters: ${upcasters}
eventVersions: [{ type: OrderPlaced, currentVersion: 2 }]
cases:
  - name: euros become cents
    given: [{ type: OrderPlaced, schemaVersion: 1, data: { amount: 1.25 } }]
    when: [{ type: OrderPlaced, data: { amountCents: 5, currency: USD } }]
    then: { cents: 130, currency: USD }
  - name: version 3 is refused as the writer refuses it
    when: [{ type: OrderPlaced, schemaVersion: 3, data: {} }]
    thenDeleted: true
`);
    const result = await runSpecFile(file);
    expect(result.cases.map((c) => [c.name, c.passed])).toEqual([['euros become cents', true], ['version 3 is refused as the writer refuses it', false]]);
    expect(result.cases[1].message).toMatch(/has schemaVersion 3; "OrderPlaced" is stored at versions 1 to 2$/);
  });

  test('the file\'s indexes: a record whose key field has another type fails its event', async () => {
    const file = specFile(`projection: ./tally.js
indexes:
  - { name: byTotal, partitionKey: { field: total, type: NUMBER } }
  - { name: byCount, partitionKey: { field: count, type: STRING } }
cases:
  - name: count is a number, byCount wants a string
    when: [{ type: Added, data: { amount: 1 } }]
    thenFails: 'field "count" is a number; index "byCount" expects a string as its partition key'
`);
    const result = await runSpecFile(file);
    expect(result.cases.map((c) => [c.name, c.passed, c.message])).toEqual([['count is a number, byCount wants a string', true, undefined]]);
    const bad = specFile(`projection: ./tally.js
indexes: [{ name: byTotal, partitionKey: { field: total, type: DATE } }]
cases:
  - name: c
    when: [{ type: Added, data: { amount: 1 } }]
    then: { count: 1, total: 1 }
`);
    expect((await runSpecFile(bad)).cases[0].message).toMatch(/indexes\[0\]\.partitionKey\.type "DATE" is invalid/);
  });

  test('a given event failing fails its case as a usage error; the other cases still run', async () => {
    const file = specFile(`projection: ./tally.js
cases:
  - name: bad given
    given: [{ type: Added, data: { amount: x } }]
    when: [{ type: Added, data: { amount: 1 } }]
    then: { count: 1, total: 1 }
  - name: fine
    when: [{ type: Added, data: { amount: 1 } }]
    then: { count: 1, total: 1 }
`);
    const result = await runSpecFile(file);
    expect(result.cases).toEqual([
      { name: 'bad given', passed: false, durationMs: expect.any(Number), message: expect.stringMatching(/^A given event failed, so the spec cannot start: event 1 of stream "stream-1"/) },
      { name: 'fine', passed: true, durationMs: expect.any(Number) },
    ]);
  });

  test.each([
    ['bad YAML', 'cases: [\n', /is not valid YAML/],
    ['no projection beside it nor named', 'cases:\n  - name: c\n    when: [{ type: A }]\n    thenFails: true\n', /names no projection, and no projection module named like it is beside it/],
    ['a projection that does not exist', 'projection: ./missing.ts\ncases:\n  - name: c\n    when: [{ type: A }]\n    thenFails: true\n', /The projection module .*missing\.ts does not exist/],
    ['a projection that does not bundle', 'projection: ./broken.ts\ncases:\n  - name: c\n    when: [{ type: A }]\n    thenFails: true\n', /Could not bundle the projection module .*broken\.ts: .*broken\.ts:\d+: /],
  ])('%s: one failed case named (spec file), never a throw', async (_what, content, message) => {
    fs.writeFileSync(path.join(dir, 'broken.ts'), 'export const handlers = {\n');
    const file = specFile(content, `unrelated-${++fileCounter}.spec.yaml`);
    const result = await runSpecFile(file);
    expect(result).toMatchObject({ file, passed: false, cases: [{ name: '(spec file)', passed: false }] });
    expect(result.cases).toHaveLength(1);
    expect(result.cases[0].message).toMatch(message);
  });
});

describe('junitXml', () => {
  test('a suite per file and a case per case, failures with their message, everything escaped, parsed back', async () => {
    const passing = await runSpecFile(specFile(GOOD));
    const failing = {
      file: 'a<b>&"c".spec.yaml',
      passed: false,
      cases: [
        { name: 'ok & fine', passed: true, durationMs: 1.5 },
        { name: 'broke "here"', passed: false, durationMs: 2000, message: 'line <one> & "two"\n- expected\n+ actual\u0001' },
        { name: 'no message', passed: false, durationMs: 0 },
      ],
    };
    const xml = junitXml([passing, failing]);
    const parsed = parseJunit(xml);
    expect(parsed.attributes).toEqual({ name: 'projection specs', tests: '8', failures: '2' });
    expect(parsed.suites.map((s) => s.attributes)).toEqual([
      { name: passing.file, tests: '5', failures: '0', time: expect.stringMatching(/^\d+\.\d{3}$/) },
      { name: 'a<b>&"c".spec.yaml', tests: '3', failures: '2', time: '2.002' },
    ]);
    expect(parsed.suites[0].cases.map((c) => [c.attributes.name, c.failure])).toEqual(passing.cases.map((c) => [c.name, undefined]));
    expect(parsed.suites[1].cases).toEqual([
      { attributes: { classname: 'a<b>&"c".spec.yaml', name: 'ok & fine', time: '0.002' }, failure: undefined },
      {
        attributes: { classname: 'a<b>&"c".spec.yaml', name: 'broke "here"', time: '2.000' },
        // A character XML 1.0 cannot hold becomes U+FFFD.
        failure: { message: 'line <one> & "two"', text: 'line <one> & "two"\n- expected\n+ actual\uFFFD' },
      },
      { attributes: { classname: 'a<b>&"c".spec.yaml', name: 'no message', time: '0.000' }, failure: { message: 'failed', text: 'failed' } },
    ]);
    expect(junitXml([])).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="projection specs" tests="0" failures="0">\n</testsuites>\n');
  });
});

interface Element { attributes: Record<string, string> }
interface JunitCase extends Element { failure?: { message: string; text: string } }

/**
 * A strict reader of the one shape junitXml writes (no XML parser among the dependencies): every
 * line must be one of the expected elements, text must hold no raw markup, and entities are undone.
 */
function parseJunit(xml: string): Element & { suites: Array<Element & { cases: JunitCase[] }> } {
  const lines = xml.split('\n');
  expect(lines.shift()).toBe('<?xml version="1.0" encoding="UTF-8"?>');
  expect(lines.pop()).toBe('');
  expect(lines.pop()).toBe('</testsuites>');
  const attrs = (text: string): Record<string, string> => {
    const out: Record<string, string> = {};
    const rest = text.replace(/ ([a-z]+)="([^"<>]*)"/g, (_m, key: string, value: string) => {
      out[key] = unescapeXml(value);
      return '';
    });
    expect(rest).toBe('');
    return out;
  };
  const top = /^<testsuites((?: [a-z]+="[^"]*")*)>$/.exec(lines.shift() ?? '');
  expect(top).not.toBeNull();
  const suites: Array<Element & { cases: JunitCase[] }> = [];
  const text = xml.slice(xml.indexOf('\n', xml.indexOf('<testsuites')) + 1);
  const suitePattern = /^ {2}<testsuite((?: [a-z]+="[^"]*")*)>\n([\s\S]*?)^ {2}<\/testsuite>\n/gm;
  let consumed = 0;
  for (const suite of text.matchAll(suitePattern)) {
    expect(suite.index).toBe(consumed);
    consumed += suite[0].length;
    const cases: JunitCase[] = [];
    const casePattern = /^ {4}<testcase((?: [a-z]+="[^"]*")*)(?:\/>|>\n {6}<failure message="([^"<>]*)">([^<>]*)<\/failure>\n {4}<\/testcase>)\n/gm;
    let inner = 0;
    for (const c of suite[2].matchAll(casePattern)) {
      expect(c.index).toBe(inner);
      inner += c[0].length;
      cases.push({ attributes: attrs(c[1]), failure: c[2] === undefined ? undefined : { message: unescapeXml(c[2]), text: unescapeXml(c[3]) } });
    }
    expect(inner).toBe(suite[2].length);
    suites.push({ attributes: attrs(suite[1]), cases });
  }
  expect(text.slice(consumed)).toBe('</testsuites>\n');
  return { attributes: attrs(top![1]), suites };
}

function unescapeXml(text: string): string {
  expect(text).not.toMatch(/&(?!(amp|lt|gt|quot|#(9|10|13));)/);
  return text.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)))
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('events in a spec file', () => {
  test('an unknown key in an event is a usage error (a forgotten `data:` would otherwise send no data)', () => {
    const file = specFile('cases:\n  - name: forgot data\n    given: [{ type: Added, data: { amount: 1 } }]\n    when: [{ type: Added, amount: 3 }]\n    then: {}\n');
    expect(() => readSpecFile(file)).toThrow(`${file}: cases[0] ("forgot data").when[0]: unknown key "amount" (known: type, data, streamId, version, eventId, timestamp, schemaVersion)`);
    const all = specFile('cases:\n  - name: every key\n    when: [{ type: A, data: {}, streamId: s, version: 1, eventId: e, timestamp: "2026-01-01T00:00:00Z", schemaVersion: 1 }]\n    thenDeleted: true\n');
    expect(readSpecFile(all).cases[0].when).toHaveLength(1);
  });
});

describe('junitXml, for any names and messages', () => {
  const awkward = fc.constantFrom('\t', '\n', '\r', '\u0001', '\uFFFE', '&', '<', '"', '\'', '>', ' ');
  const text = fc.string({ unit: fc.oneof(awkward, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), maxLength: 20 });
  /** What an XML 1.0 parser hands back: characters XML cannot hold are U+FFFD (junitXml's choice). */
  const held = (s: string) => s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD');

  test('every name and message reads back as written (no raw tab, newline or carriage return for a parser to normalise)', () => {
    const specCases = fc.array(fc.record({ name: text, message: fc.option(text, { nil: undefined }) }), { maxLength: 4 });
    fc.assert(fc.property(text, specCases, (file, cases) => {
      const xml = junitXml([{ file, passed: false, cases: cases.map((c) => ({ ...c, passed: c.message === undefined, durationMs: 1 })) }]);
      // XML normalises a tab, newline or carriage return in an attribute to a space, and a carriage return in text to a newline.
      for (const [, value] of xml.matchAll(/="([^"]*)"/g)) expect(value).not.toMatch(/[\t\n\r]/);
      expect(xml).not.toMatch(/\r/);
      const suite = parseJunit(xml).suites[0];
      expect(suite.attributes.name).toBe(held(file));
      const expected = cases.map((c) => [held(c.name), c.message === undefined ? undefined : held(c.message)]);
      expect(suite.cases.map((c) => [c.attributes.name, c.failure?.text])).toEqual(expected);
    }), runs(300));
  });
});
