/**
 * The example apps as their users check them: examples/python under `mypy --strict` and its
 * pytest tests, examples/java compiled with every javac warning an error and its JUnit tests.
 * Both integration tests run the packed CLI through npx (CDK_ES_API_CLI names the tarball),
 * sharing one install in npx's cache with the other bindings tests; both projection spec tests
 * run the summary projection's spec file through ProjectionSpecs.verify.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliTarball, preparePythonVenv, PYTHON, ROOT, run, userEnv } from './python-venv';
import { StepTimings } from '../support/step-timings';

const PYTHON_APP = path.join(ROOT, 'examples', 'python');
const JAVA_APP = path.join(ROOT, 'examples', 'java');
// The version the packages are built at: 0.0.0, or the one the release task bumped to.
const VERSION: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
// Kept between runs: mypy reads aws_cdk's types once.
const MYPY_CACHE = path.join(ROOT, 'node_modules', '.cache', 'mypy');
const timings = new StepTimings();
const timed = <T>(label: string, fn: () => T): T => timings.timed(label, fn);

beforeAll(() => timed('Python venv + pip install', preparePythonVenv), 600_000);
afterAll(() => timings.print('examples timings'));

describe('examples/python', () => {
  const mypy = (cwd: string, ...files: string[]) => run(PYTHON, ['-m', 'mypy', '--strict', '--cache-dir', MYPY_CACHE, ...files], { cwd });

  test('mypy --strict passes on the app and its tests', () => {
    expect(timed('mypy --strict examples/python', () => mypy(PYTHON_APP, '.'))).toMatch(/^Success: no issues found in 3 source files/m);
  }, 600_000);

  test('the check is not vacuous: an optional URL passed on as a str fails it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mypy-bad-app-'));
    try {
      fs.writeFileSync(path.join(dir, 'app.py'), fs.readFileSync(path.join(PYTHON_APP, 'app.py'), 'utf8')
        .replace(/    if api\.url is not None:\n        (CfnOutput\(.*\))/, '    $1'));
      expect(() => mypy(dir, 'app.py')).toThrow(/Argument "value" to "CfnOutput" has incompatible type "str \| None"; expected "str"/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  test('pytest: the projection specs pass, a wrong one fails with a diff; the runtime starts from the ready file, an order reaches both views after wait-idle, SIGINT stops it', () => {
    const env = { ...userEnv({ venv: true }), CDK_ES_API_CLI: cliTarball(), PYTHONDONTWRITEBYTECODE: '1' };
    const output = timed('pytest examples/python/tests', () => run(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests'], { cwd: PYTHON_APP, env }));
    expect(output).toMatch(/^3 passed in /m);
  }, 600_000);
});

describe('examples/java', () => {
  test('the pom makes every javac warning an error', () => {
    const pom = fs.readFileSync(path.join(JAVA_APP, 'pom.xml'), 'utf8');
    expect(pom).toMatch(/<compilerArgs>\s*<arg>-Xlint:all<\/arg>\s*<arg>-Werror<\/arg>\s*<\/compilerArgs>/);
  });

  test('mvn test: compiles with -Xlint:all -Werror; the projection specs pass, a wrong one fails with a diff; JUnit starts the runtime from the ready file, an order reaches both views after wait-idle', () => {
    // Maven keeps a copy of dist/java's jar; drop it, as bindings.test.ts does, for this build's.
    fs.rmSync(path.join(os.homedir(), '.m2', 'repository', 'io', 'github', 'cdkeventsourcedapi'), { recursive: true, force: true });
    fs.rmSync(path.join(JAVA_APP, 'target', 'surefire-reports'), { recursive: true, force: true });
    const env = { ...userEnv(), CDK_ES_API_CLI: cliTarball() };
    timed('mvn test examples/java', () => run('mvn', ['-B', `-Devent-sourced-api.version=${VERSION}`, 'test'], { cwd: JAVA_APP, env }));
    const report = (test: string) => fs.readFileSync(path.join(JAVA_APP, 'target', 'surefire-reports', `TEST-com.example.${test}.xml`), 'utf8');
    expect(report('CustomersApiLocalTest')).toMatch(/<testsuite [^>]*tests="1" errors="0" skipped="0" failures="0"/);
    expect(report('ProjectionSpecsTest')).toMatch(/<testsuite [^>]*tests="2" errors="0" skipped="0" failures="0"/);
  }, 600_000);
});
