/**
 * The Java apps of the README and the guides, as written: each ```java block after a
 * `<!-- checked: java app -->` comment in README.md or docs/*.md is compiled against the jar built
 * from this repository, with examples/java's pom (every javac warning an error), then run, so that
 * the construct validates its props at synth. A block with a `main` is a whole app; any other is
 * the body of one, after `App app = new App(); Stack stack = new Stack(app, ...);` with
 * FRAGMENT_IMPORTS in scope, followed by `app.synth();`. All blocks compile in one Maven project
 * (a package each) and one `mvn` run; each app then runs in a folder holding examples/java's
 * projections and, as `upcasters.js`, the event versions guide's upcasters module (the one
 * docs-python.test.ts checks too), which synth bundles and checks against `eventVersions`, and
 * each ```js block after `<!-- checked: projection projections/<name>.js -->` at that path (a
 * guide's own projection, as docs-python.test.ts writes it).
 * Each ```java block after `<!-- checked: java test -->` is a JUnit 5 test (a whole class, or
 * the members of one with the library, `@Test` and JUnit's assertions in scope), compiled in the
 * same project and run by its `mvn test`, in a folder holding examples/java's projections and
 * their spec files.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, run, userEnv } from './python-venv';
import { packageReadme } from '../../scripts/package-readme';

const DOCS = path.join(ROOT, 'docs');
const JAVA_APP = path.join(ROOT, 'examples', 'java');
const CHECKED = /<!--\s*checked: java app\s*-->\s*\n```java\n([\s\S]*?)^```/gm;
const UPCASTERS = /<!--\s*checked: upcasters module\s*-->\s*\n```js\n([\s\S]*?)^```/gm;
const PROJECTIONS = /<!--\s*checked: projection (projections\/[\w-]+\.js)\s*-->\s*\n```js\n([\s\S]*?)^```/gm;
const TESTS = /<!--\s*checked: java test\s*-->\s*\n```java\n([\s\S]*?)^```/gm;
// The version the packages are built at: 0.0.0, or the one the release task bumped to.
const VERSION: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
// What a fragment may use without importing it: the library, the CDK's core and IAM, collections.
const FRAGMENT_IMPORTS = ['io.github.cdkeventsourcedapi.*', 'java.util.List', 'java.util.Map', 'software.amazon.awscdk.App', 'software.amazon.awscdk.Duration', 'software.amazon.awscdk.Stack', 'software.amazon.awscdk.services.iam.*'];

const guides = ['README.md', ...fs.readdirSync(DOCS).filter((f) => f.endsWith('.md')).map((f) => path.join('docs', f))]
  .map((file) => ({ file: path.basename(file), markdown: fs.readFileSync(path.join(ROOT, file), 'utf8') }));
const apps = guides.flatMap(({ file, markdown }) => [...markdown.matchAll(CHECKED)].map((m, i) => ({ name: `${file} #${i + 1}`, source: m[1] })))
  // A package named after the block (README.md #2: docs.readme2), which javac's errors name.
  .map((app) => ({ ...app, pkg: `docs.${app.name.replace(/\.md #/, '').replace(/[^A-Za-z0-9]/g, '').toLowerCase()}` }))
  .map((app) => ({ ...app, ...javaClass(app.source, app.pkg) }));
const upcastersModules = guides.flatMap(({ markdown }) => [...markdown.matchAll(UPCASTERS)].map((m) => m[1]));
const projectionModules = guides.flatMap(({ markdown }) => [...markdown.matchAll(PROJECTIONS)].map((m) => ({ file: m[1], source: m[2] })));
const junitTests = guides.flatMap(({ file, markdown }) => [...markdown.matchAll(TESTS)].map((m, i) => ({ name: `${file} test #${i + 1}`, source: m[1] })))
  .map((t) => ({ ...t, pkg: `docs.${t.name.replace(/\.md test #/, 'test').replace(/[^A-Za-z0-9]/g, '').toLowerCase()}` }))
  .map((t) => ({ ...t, ...junitClass(t.source, t.pkg) }));

/** The block as a compilation unit in its own package: its class name and source. */
function javaClass(block: string, pkg: string): { className: string; unit: string } {
  if (/public static void main\(/.test(block)) {
    const className = /public (?:final )?class (\w+)/.exec(block)?.[1];
    if (!className) throw new Error(`A Java app with a main but no public class:\n${block}`);
    return { className, unit: block.replace(/^package [\w.]+;/m, `package ${pkg};`) };
  }
  const body = block.replace(/^(?=.)/gm, '        ');
  const unit = [
    `package ${pkg};`,
    '',
    ...FRAGMENT_IMPORTS.map((i) => `import ${i};`),
    '',
    'public final class DocsApp {',
    '    private DocsApp() {',
    '    }',
    '',
    '    public static void main(final String[] args) {',
    '        App app = new App();',
    '        Stack stack = new Stack(app, "DocsApp");',
    body.trimEnd(),
    '        app.synth();',
    '    }',
    '}',
    '',
  ].join('\n');
  return { className: 'DocsApp', unit };
}

/** A JUnit test block as a compilation unit in its own package: a whole class, or a class around its members. */
function junitClass(block: string, pkg: string): { className: string; unit: string } {
  const className = /^(?:public |final )*class (\w+)/m.exec(block)?.[1];
  if (className) return { className, unit: `package ${pkg};\n\n${block}` };
  const unit = [
    `package ${pkg};`,
    '',
    'import static org.junit.jupiter.api.Assertions.*;',
    '',
    'import io.github.cdkeventsourcedapi.*;',
    'import org.junit.jupiter.api.Test;',
    '',
    'class DocsTest {',
    block.replace(/^(?=.)/gm, '    ').trimEnd(),
    '}',
    '',
  ].join('\n');
  return { className: 'DocsTest', unit };
}

test('the README and the testing guide have JUnit tests to check', () => {
  expect(junitTests.map((t) => t.name)).toEqual(expect.arrayContaining(['README.md test #1', 'testing-projections.md test #1']));
});

test('the README and the guides have Java apps to check', () => {
  expect(apps.map((a) => a.name)).toEqual(expect.arrayContaining(['README.md #1', 'README.md #2', 'event-versions.md #1', 'python-and-java.md #1', 'queries.md #1']));
});

test('the marker stays out of the Python and Java packages\' README', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  expect(readme).toMatch(/checked: java app/);
  expect(packageReadme(readme)).not.toMatch(/checked: java app/);
});

test('the guides\' projection modules are written beside the apps, none in place of an example\'s', () => {
  const examples = new Set(fs.readdirSync(path.join(JAVA_APP, 'projections')).map((f) => `projections/${f}`));
  expect(projectionModules.filter((p) => examples.has(p.file))).toEqual([]);
  expect(apps.filter((a) => a.source.includes('"projections/orders.js"')).map((a) => a.name)).toEqual(expect.arrayContaining(['queries.md #1']));
});

test('one upcasters module, the event versions guide\'s, is checked with the apps that name it', () => {
  expect(upcastersModules).toHaveLength(1);
  expect(apps.filter((a) => a.source.includes('.upcasters("upcasters.js")')).map((a) => a.name)).toEqual(expect.arrayContaining(['README.md #2', 'event-versions.md #1']));
});

describe('each app, compiled in one Maven run', () => {
  let project: string;
  let classpath: string;

  beforeAll(() => {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'java'))) throw new Error('No dist/java: run `npx projen package:java` first');
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-java-'));
    // examples/java's pom (its compiler flags and the dependencies Maven has cached), with the jar
    // from this repository's dist/java.
    const examplePom = fs.readFileSync(path.join(JAVA_APP, 'pom.xml'), 'utf8');
    const localRepository = '<url>file://${project.basedir}/../../dist/java</url>';
    expect(examplePom).toContain(localRepository);
    const pom = examplePom.replace(localRepository, `<url>file://${path.join(ROOT, 'dist', 'java')}</url>`);
    fs.writeFileSync(path.join(project, 'pom.xml'), pom);
    for (const app of apps) {
      const dir = path.join(project, 'src', 'main', 'java', ...app.pkg.split('.'));
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${app.className}.java`), app.unit);
    }
    for (const t of junitTests) {
      const dir = path.join(project, 'src', 'test', 'java', ...t.pkg.split('.'));
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${t.className}.java`), t.unit);
    }
    // The JUnit tests name the projections and their spec files relative to the project.
    fs.cpSync(path.join(JAVA_APP, 'projections'), path.join(project, 'projections'), { recursive: true });
    // Maven keeps a copy of dist/java's jar; drop it, as bindings.test.ts does, for this build's.
    fs.rmSync(path.join(os.homedir(), '.m2', 'repository', 'io', 'github', 'cdkeventsourcedapi'), { recursive: true, force: true });
    // One run: compile every app, compile and run the tests, and write the classpath the apps run
    // with (exec:exec's %classpath).
    run('mvn', ['-q', '-B', `-Devent-sourced-api.version=${VERSION}`, 'test', 'exec:exec',
      '-Dexec.executable=echo', '-Dexec.args=%classpath', '-Dexec.outputFile=classpath.txt'], { cwd: project, env: userEnv() });
    classpath = fs.readFileSync(path.join(project, 'classpath.txt'), 'utf8').trim();
  }, 600_000);

  afterAll(() => {
    if (project) fs.rmSync(project, { recursive: true, force: true });
  });

  test.each(junitTests.map((t) => [t.name, t]))('%s compiles with -Xlint:all -Werror and passes', (_name, t) => {
    const report = fs.readFileSync(path.join(project, 'target', 'surefire-reports', `TEST-${t.pkg}.${t.className}.xml`), 'utf8');
    expect(report).toMatch(/<testsuite [^>]*tests="[1-9]\d*" errors="0" skipped="0" failures="0"/);
  });

  test.each(apps.map((a) => [a.name, a]))('%s compiles with -Xlint:all -Werror and synthesizes', (_name, app) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-java-app-'));
    try {
      // Copies of the files (examples/java/projections is a link to examples/python's), so that the
      // guides' projections written beside them stay out of the repository.
      fs.cpSync(path.join(JAVA_APP, 'projections'), path.join(dir, 'projections'), { recursive: true, dereference: true });
      fs.writeFileSync(path.join(dir, 'upcasters.js'), upcastersModules[0]);
      expect(fs.lstatSync(path.join(dir, 'projections')).isSymbolicLink()).toBe(false);
      for (const p of projectionModules) fs.writeFileSync(path.join(dir, p.file), p.source);
      const outdir = path.join(dir, 'cdk.out');
      run('java', ['-cp', classpath, `${app.pkg}.${app.className}`], { cwd: dir, env: { ...userEnv(), CDK_OUTDIR: outdir } });
      const templates = fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
      expect(templates.length).toBeGreaterThan(0);
      // What the app asks for is in what it synthesized.
      const resources = templates.flatMap((f) => Object.values<any>(JSON.parse(fs.readFileSync(path.join(outdir, f), 'utf8')).Resources ?? {}));
      expect(resources.some((r) => r.Type === 'AWS::DynamoDB::Table')).toBe(true);
      if (app.source.includes('.eventVersions(')) {
        // The reader is told where its copy of the bundled upcasters is.
        expect(resources.some((r) => r.Type === 'AWS::Lambda::Function' && /upcast/i.test(JSON.stringify(r.Properties.Environment ?? {})))).toBe(true);
      }
      if (app.source.includes('.indexes(')) {
        // The view's maintenance resource is given the declared indexes, which it builds after the deploy.
        const declared = resources.filter((r) => r.Type === 'Custom::ViewBackfill' && r.Properties.indexes).map((r) => JSON.parse(r.Properties.indexes));
        expect(declared.length).toBeGreaterThan(0);
        expect(declared.flat().map((i: { name: string }) => i.name).sort()).toEqual([...app.source.matchAll(/ViewIndex\.builder\(\)\s*\.name\("(\w+)"\)/g)].map((m) => m[1]).sort());
      }
      if (app.source.includes('api.grantAppend(')) expect(resources.some((r) => r.Type === 'AWS::IAM::Policy' && /execute-api:Invoke/.test(JSON.stringify(r.Properties)))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
