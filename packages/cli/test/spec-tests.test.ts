/**
 * `cdk-event-sourced-api test`: spec files found under folders, one line per case, the failures'
 * diffs, JUnit XML, and the exit code (the CLI in its own process once, as CI runs it).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { removeTempDirs, tempDir } from '../../../test/support/local-app';
import { findSpecFiles, parseTestArgs, runTests } from '../src/spec-tests';

afterAll(() => removeTempDirs());

const ROOT = path.join(__dirname, '..', '..', '..');

const COUNTER = `
exports.handlers = {
  Added: (view, event) => ({ total: ((view && view.total) || 0) + event.data.n }),
  Removed: () => undefined,
};
`;

/** A project folder: a projection, a passing spec beside it, a failing one in a sub-folder, and spec files in folders never searched. */
function project(): string {
  const dir = tempDir('es-spec-tests-');
  fs.mkdirSync(path.join(dir, 'projections', 'more'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'projections', 'counter.js'), COUNTER);
  fs.writeFileSync(path.join(dir, 'projections', 'counter.spec.yaml'), [
    'cases:',
    '  - name: adds up',
    '    when: [{ type: Added, data: { n: 2 } }, { type: Added, data: { n: 3 } }]',
    '    then: { total: 5 }',
    '  - name: removes',
    '    given: [{ type: Added, data: { n: 2 } }]',
    '    when: [{ type: Removed }]',
    '    thenDeleted: true',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'projections', 'more', 'wrong.spec.json'), JSON.stringify({
    projection: '../counter.js',
    cases: [
      { name: 'a <wrong> total', when: [{ type: 'Added', data: { n: 2 } }], then: { total: 3 } },
      { name: 'still adds', when: [{ type: 'Added', data: { n: 1 } }], then: { total: 1 } },
    ],
  }));
  for (const skipped of ['node_modules/pkg', 'cdk.out', '.git', '.cache']) {
    fs.mkdirSync(path.join(dir, skipped), { recursive: true });
    fs.writeFileSync(path.join(dir, skipped, 'never.spec.yaml'), 'cases: [');
  }
  return dir;
}

/** The elements of a JUnit file with their attributes (entities decoded), and a failure's text. */
function parseJunit(xml: string): Array<{ tag: string; attributes: Record<string, string>; text?: string }> {
  const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const elements: Array<{ tag: string; attributes: Record<string, string>; text?: string }> = [];
  for (const match of xml.matchAll(/<(testsuites|testsuite|testcase|failure)\b([^>]*?)\/?>(?:([^<]*)<\/failure>)?/g)) {
    const attributes = Object.fromEntries([...match[2].matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k, decode(v)]));
    elements.push({ tag: match[1], attributes, ...(match[3] === undefined ? {} : { text: decode(match[3]) }) });
  }
  return elements;
}

test('arguments: paths (the current folder by default), --junit, help and unknown options', () => {
  expect(parseTestArgs([])).toEqual({ paths: ['.'] });
  expect(parseTestArgs(['a', 'b/c.spec.yaml', '--junit', 'out.xml'])).toEqual({ paths: ['a', 'b/c.spec.yaml'], junit: 'out.xml' });
  expect(parseTestArgs(['--help'])).toBe('help');
  expect(() => parseTestArgs(['--junit'])).toThrow('--junit needs a file');
  expect(() => parseTestArgs(['--watch'])).toThrow('Unknown option "--watch" for test');
});

test('spec files are found under folders, node_modules, cdk.out and dot-folders skipped; a file named is taken as it is', () => {
  const dir = project();
  expect(findSpecFiles(['.'], dir)).toEqual([
    path.join(dir, 'projections', 'counter.spec.yaml'),
    path.join(dir, 'projections', 'more', 'wrong.spec.json'),
  ]);
  expect(findSpecFiles(['projections/counter.spec.yaml', 'projections'], dir)).toHaveLength(2);
  expect(findSpecFiles(['cdk.out/never.spec.yaml'], dir)).toEqual([path.join(dir, 'cdk.out', 'never.spec.yaml')]);
  expect(() => findSpecFiles(['nowhere'], dir)).toThrow('nowhere: no such file or folder');
});

test('one line per case, each failure\'s diff below it, a summary; the JUnit XML says the same', async () => {
  const dir = project();
  const lines: string[] = [];
  const run = await runTests({ paths: ['projections'], junit: 'reports/specs.xml' }, dir, (line) => lines.push(line));
  expect(run.passed).toBe(false);
  const caseLines = lines.filter((line) => /^[✓✗] /.test(line)).map((line) => line.replace(/\(\d+ ms\)$/, '(ms)'));
  expect(caseLines).toEqual([
    '✓ projections/counter.spec.yaml › adds up (ms)',
    '✓ projections/counter.spec.yaml › removes (ms)',
    `✗ ${path.join('projections', 'more', 'wrong.spec.json')} › a <wrong> total (ms)`,
    `✓ ${path.join('projections', 'more', 'wrong.spec.json')} › still adds (ms)`,
  ]);
  const failure = lines.slice(lines.findIndex((line) => line.startsWith('✗')) + 1, lines.findIndex((line) => line.includes('still adds')));
  expect(failure[0]).toMatch(/^ {4}The record of stream "stream-1" is not the one expected/);
  expect(failure).toEqual(expect.arrayContaining(['    -   "total": 3', '    +   "total": 2']));
  expect(lines[lines.length - 1]).toBe('FAILED: 3 of 4 case(s) passed, 1 failed, in 2 spec file(s)');

  const junit = parseJunit(fs.readFileSync(path.join(dir, 'reports', 'specs.xml'), 'utf8'));
  expect(junit.filter((e) => e.tag === 'testsuites').map((e) => e.attributes)).toEqual([expect.objectContaining({ tests: '4', failures: '1' })]);
  expect(junit.filter((e) => e.tag === 'testsuite').map((e) => [e.attributes.name, e.attributes.tests, e.attributes.failures])).toEqual([
    ['projections/counter.spec.yaml', '2', '0'],
    [path.join('projections', 'more', 'wrong.spec.json'), '2', '1'],
  ]);
  expect(junit.filter((e) => e.tag === 'testcase').map((e) => e.attributes.name)).toEqual(['adds up', 'removes', 'a <wrong> total', 'still adds']);
  const [failed] = junit.filter((e) => e.tag === 'failure');
  expect(failed.attributes.message).toMatch(/^The record of stream "stream-1" is not the one expected/);
  expect(failed.text).toContain('-   "total": 3\n+   "total": 2');
});

test('a spec file that is not valid YAML is a failed case that says why; the others still run', async () => {
  const dir = project();
  fs.writeFileSync(path.join(dir, 'projections', 'broken.spec.yml'), 'cases:\n  - name: [unclosed\n');
  const lines: string[] = [];
  const run = await runTests({ paths: ['projections/broken.spec.yml', 'projections/counter.spec.yaml'] }, dir, (line) => lines.push(line));
  expect(run.passed).toBe(false);
  expect(lines[0]).toMatch(/^✗ projections\/broken\.spec\.yml › \(spec file\) \(\d+ ms\)$/);
  expect(lines[1]).toMatch(/^ {4}.*broken\.spec\.yml: is not valid YAML: /);
  expect(lines[lines.length - 1]).toBe('FAILED: 2 of 3 case(s) passed, 1 failed, in 2 spec file(s)');
});

test('no spec file found is a failure that says so (a CI job that tests nothing must not pass)', async () => {
  const dir = tempDir('es-spec-tests-empty-');
  const lines: string[] = [];
  const run = await runTests({ paths: ['.'], junit: 'specs.xml' }, dir, (line) => lines.push(line));
  expect(run.passed).toBe(false);
  expect(lines).toEqual(['No spec files (*.spec.json, *.spec.yaml, *.spec.yml) found in .']);
  expect(parseJunit(fs.readFileSync(path.join(dir, 'specs.xml'), 'utf8'))).toEqual([{ tag: 'testsuites', attributes: { name: 'projection specs', tests: '0', failures: '0' } }]);
});

test('the CLI exits 1 on a failing case', () => {
  // One process (ts-node takes seconds): passing runs end as any command does, with 0.
  const cli = spawnSync(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), path.join(ROOT, 'packages', 'cli', 'src', 'cli.ts'), 'test'], {
    cwd: project(), encoding: 'utf8', env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.dev.json') },
  });
  expect(cli.stdout).toContain('FAILED: 3 of 4 case(s) passed, 1 failed, in 2 spec file(s)');
  expect(cli.status).toBe(1);
}, 60_000);
