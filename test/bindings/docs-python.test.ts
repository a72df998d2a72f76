/**
 * The Python apps of the README and the guides, as written: each ```python block after a
 * `<!-- checked: python app -->` comment in README.md or docs/*.md is a whole app, synthesized with the wheel
 * built from this repository and type-checked with `mypy --strict`, in a user's folder. The ```js
 * block after `<!-- checked: upcasters module -->` (docs/event-versions.md) is written beside each
 * app as `upcasters.js`, the module the apps name in `upcasters`: synth bundles it and checks it
 * against their `eventVersions`, so the guide's upcasters are checked with the apps. Likewise each
 * ```js block after `<!-- checked: projection projections/<name>.js -->` is written beside each
 * app at that path, beside examples/python's projections: a guide's own projection (the queries
 * guide's `orders`), bundled and checked by synth as the apps that name it deploy it. Each ```python
 * block after `<!-- checked: python test -->` is a pytest file, run in a folder holding
 * examples/python's projections and their spec files, and type-checked with `mypy --strict`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { preparePythonVenv, PYTHON, ROOT, run, userEnv } from './python-venv';

const DOCS = path.join(ROOT, 'docs');
const CHECKED = /<!--\s*checked: python app\s*-->\s*\n```python\n([\s\S]*?)^```/gm;
const UPCASTERS = /<!--\s*checked: upcasters module\s*-->\s*\n```js\n([\s\S]*?)^```/gm;
const PROJECTIONS = /<!--\s*checked: projection (projections\/[\w-]+\.js)\s*-->\s*\n```js\n([\s\S]*?)^```/gm;
const TESTS = /<!--\s*checked: python test\s*-->\s*\n```python\n([\s\S]*?)^```/gm;
const MYPY_CACHE = path.join(ROOT, 'node_modules', '.cache', 'mypy');

const guides = ['README.md', ...fs.readdirSync(DOCS).filter((f) => f.endsWith('.md')).map((f) => path.join('docs', f))]
  .map((file) => ({ file: path.basename(file), markdown: fs.readFileSync(path.join(ROOT, file), 'utf8') }));
const apps = guides.flatMap(({ file, markdown }) => [...markdown.matchAll(CHECKED)].map((m, i) => ({ name: `${file} #${i + 1}`, source: m[1] })));
const upcastersModules = guides.flatMap(({ markdown }) => [...markdown.matchAll(UPCASTERS)].map((m) => m[1]));
const projectionModules = guides.flatMap(({ markdown }) => [...markdown.matchAll(PROJECTIONS)].map((m) => ({ file: m[1], source: m[2] })));
const pytests = guides.flatMap(({ file, markdown }) => [...markdown.matchAll(TESTS)].map((m, i) => ({ name: `${file} test #${i + 1}`, source: m[1] })));

beforeAll(() => preparePythonVenv(), 600_000);

test('the README and the guides have Python apps to check', () => {
  expect(apps.map((a) => a.name)).toEqual(expect.arrayContaining(['README.md #1', 'options.md #1', 'options.md #2', 'event-versions.md #1', 'queries.md #1']));
});

test('one upcasters module, the event versions guide\'s, is checked with the apps that name it', () => {
  expect(upcastersModules).toHaveLength(1);
  expect(upcastersModules[0]).toMatch(/export const upcasters = \{/);
  expect(apps.filter((a) => a.source.includes('upcasters.js')).map((a) => a.name)).toEqual(expect.arrayContaining(['README.md #1', 'event-versions.md #1', 'options.md #2']));
});

test('the guides\' projection modules are written beside the apps, none in place of an example\'s', () => {
  expect(projectionModules.map((p) => p.file)).toEqual(expect.arrayContaining(['projections/orders.js']));
  const examples = new Set(fs.readdirSync(path.join(ROOT, 'examples', 'python', 'projections')).map((f) => `projections/${f}`));
  expect(projectionModules.filter((p) => examples.has(p.file))).toEqual([]);
  expect(new Set(projectionModules.map((p) => p.file)).size).toBe(projectionModules.length);
  expect(apps.filter((a) => a.source.includes('"orders.js"')).map((a) => a.name)).toEqual(expect.arrayContaining(['queries.md #1']));
});

test.each(apps.map((a) => [a.name, a.source]))('%s synthesizes and passes mypy --strict', (_name, source) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-python-'));
  try {
    fs.writeFileSync(path.join(dir, 'app.py'), source);
    fs.cpSync(path.join(ROOT, 'examples', 'python', 'projections'), path.join(dir, 'projections'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'upcasters.js'), upcastersModules[0]);
    for (const p of projectionModules) fs.writeFileSync(path.join(dir, p.file), p.source);
    const outdir = path.join(dir, 'cdk.out');
    run(PYTHON, ['app.py'], { cwd: dir, env: { ...userEnv({ venv: true }), CDK_OUTDIR: outdir } });
    const templates = fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
    expect(templates.length).toBeGreaterThan(0);
    // What the app asks for is in what it synthesized.
    const resources = templates.flatMap((f) => Object.values<any>(JSON.parse(fs.readFileSync(path.join(outdir, f), 'utf8')).Resources ?? {}));
    if (source.includes('dashboard=True')) expect(resources.some((r) => r.Type === 'AWS::CloudWatch::Dashboard')).toBe(true);
    if (source.includes('batch_size=5')) expect(resources.some((r) => r.Type === 'AWS::Lambda::EventSourceMapping' && r.Properties.BatchSize === 5)).toBe(true);
    if (source.includes('event_versions=')) {
      // The reader is told where its copy of the bundled upcasters is.
      expect(resources.some((r) => r.Type === 'AWS::Lambda::Function' && /upcast/i.test(JSON.stringify(r.Properties.Environment ?? {})))).toBe(true);
    }
    if (source.includes('indexes=')) {
      // The view's maintenance resource is given the declared indexes, which it builds after the deploy.
      const declared = resources.filter((r) => r.Type === 'Custom::ViewBackfill' && r.Properties.indexes).map((r) => JSON.parse(r.Properties.indexes));
      expect(declared.length).toBeGreaterThan(0);
      expect(declared.flat().map((i: { name: string }) => i.name).sort()).toEqual([...source.matchAll(/ViewIndex\(\s*name="(\w+)"/g)].map((m) => m[1]).sort());
    }
    if (source.includes('alarm_actions=')) expect(resources.some((r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.AlarmActions?.length)).toBe(true);
    expect(run(PYTHON, ['-m', 'mypy', '--strict', '--cache-dir', MYPY_CACHE, 'app.py'], { cwd: dir })).toMatch(/^Success/m);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 600_000);

test('the README and the testing guide have pytest tests to check', () => {
  expect(pytests.map((t) => t.name)).toEqual(expect.arrayContaining(['README.md test #1', 'testing-projections.md test #1']));
});

test.each(pytests.map((t) => [t.name, t.source]))('%s passes under pytest and mypy --strict', (_name, source) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-pytest-'));
  try {
    fs.mkdirSync(path.join(dir, 'tests'));
    fs.writeFileSync(path.join(dir, 'tests', 'test_docs.py'), source);
    fs.cpSync(path.join(ROOT, 'examples', 'python', 'projections'), path.join(dir, 'projections'), { recursive: true });
    const env = { ...userEnv({ venv: true }), PYTHONDONTWRITEBYTECODE: '1' };
    // A test that ran and passed: pytest exits non-zero on a failure, and says how many passed.
    expect(run(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests'], { cwd: dir, env })).toMatch(/^[1-9]\d* passed in /m);
    expect(run(PYTHON, ['-m', 'mypy', '--strict', '--cache-dir', MYPY_CACHE, 'tests'], { cwd: dir })).toMatch(/^Success/m);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 600_000);
