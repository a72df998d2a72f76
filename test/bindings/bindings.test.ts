/**
 * The construct as Python and Java users see it, through the jsii packages built from this
 * repository (`npx projen package:python package:java`, which the test task runs first):
 * examples/python and examples/java synthesize the same app as examples/typescript, and their
 * templates must match the TypeScript one. A difference is a bug in the API the bindings see.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { differences, normalizeTemplate } from './normalize-template';
import { cliTarball, preparePythonVenv, PYTHON as python, ROOT, run, userEnv } from './python-venv';
import { buildExampleApp } from '../../examples/typescript/app';
import { ApiAuthorization, ApiKind, EventSourcedApi, EventSourcedApiProps, IndexKeyType, WritePath } from '../../src';
import { StepTimings } from '../support/step-timings';
import { COUNTER } from '../support/synth';
import { recordTemplate, synthApp } from '../support/templates';
import { compileProjection, TYPED_PROJECTION } from '../support/typed-projection';
import { until } from '../support/until';

const STACK = 'CustomersApi';
// The version the packages are built at: 0.0.0, or the one the release task bumped to.
const VERSION: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
const timings = new StepTimings();
const timed = <T>(label: string, fn: () => T): T => timings.timed(label, fn);

function templateIn(outdir: string): any {
  return JSON.parse(fs.readFileSync(path.join(outdir, `${STACK}.template.json`), 'utf8'));
}

let tsTemplate: any;
let pythonTemplate: any;
let javaTemplate: any;
let pythonOut: string;

beforeAll(() => {
  const tsOut = fs.mkdtempSync(path.join(os.tmpdir(), 'bindings-ts-'));
  tsTemplate = timed('TypeScript synth', () => {
    const app = new App({ outdir: tsOut });
    buildExampleApp(app);
    synthApp(app);
    return templateIn(tsOut);
  });

  // Python: a virtualenv with the example's PyPI requirements and the wheel built here.
  timed('Python venv + pip install', preparePythonVenv);
  pythonOut = fs.mkdtempSync(path.join(os.tmpdir(), 'bindings-py-'));
  // PATH without this repository's node_modules/.bin: the Python user has Node but no esbuild.
  const userPath = (process.env.PATH ?? '').split(path.delimiter).filter((p) => !p.includes('node_modules')).join(path.delimiter);
  pythonTemplate = timed('Python synth', () => {
    run(python, ['app.py'], { cwd: path.join(ROOT, 'examples', 'python'), env: { ...process.env, PATH: userPath, CDK_OUTDIR: pythonOut } });
    return templateIn(pythonOut);
  });

  // Java: Maven resolves aws-cdk-lib from Maven Central and our jar from dist/java.
  if (!fs.existsSync(path.join(ROOT, 'dist', 'java'))) throw new Error('No dist/java: run `npx projen package:java` first');
  // Maven copies a release from dist/java into its local repository once and never checks again,
  // so a jar built by an earlier run would shadow this one: drop the cached copy first.
  fs.rmSync(path.join(os.homedir(), '.m2', 'repository', 'io', 'github', 'cdkeventsourcedapi'), { recursive: true, force: true });
  const javaOut = fs.mkdtempSync(path.join(os.tmpdir(), 'bindings-java-'));
  javaTemplate = timed('Java synth (mvn compile exec:java)', () => {
    run('mvn', ['-q', '-B', `-Devent-sourced-api.version=${VERSION}`, 'compile', 'exec:java'], {
      cwd: path.join(ROOT, 'examples', 'java'),
      env: { ...process.env, CDK_OUTDIR: javaOut },
    });
    return templateIn(javaOut);
  });
  // Linted with the other tests' templates by test:templates, which runs after this task.
  recordTemplate(pythonTemplate);
  recordTemplate(javaTemplate);
}, 900_000);

afterAll(() => {
  timings.print('bindings timings');
});

describe('templates synthesized from Python and Java match TypeScript', () => {
  test('Python template equals the TypeScript one (asset hashes aside)', () => {
    expect(differences(normalizeTemplate(pythonTemplate), normalizeTemplate(tsTemplate))).toEqual([]);
  });

  test('Java template equals the TypeScript one (asset hashes aside)', () => {
    expect(differences(normalizeTemplate(javaTemplate), normalizeTemplate(tsTemplate))).toEqual([]);
  });

  test('the comparison is not vacuous: the templates hold the whole API', () => {
    const types = Object.values<any>(normalizeTemplate(pythonTemplate).Resources).map((r) => r.Type);
    // writer, publisher, reader, two aggregators, maintenance; two views' queues and DLQs, the
    // publisher's failure queue, the jobs queue and its DLQ; one backfill per view table.
    expect(types.filter((t) => t === 'AWS::Lambda::Function')).toHaveLength(6);
    expect(types.filter((t) => t === 'AWS::SQS::Queue')).toHaveLength(7);
    expect(types.filter((t) => t === 'Custom::ViewBackfill')).toHaveLength(2);
    expect(types).toContain('AWS::ApiGateway::RestApi');
    const different = normalizeTemplate(tsTemplate);
    different.Resources[Object.keys(different.Resources)[0]].Properties = { changed: true };
    expect(differences(normalizeTemplate(pythonTemplate), different).length).toBeGreaterThan(0);
  });

  /** The template of a Python app in apps/ and of the same app built in TypeScript; the Python one is linted with the others. */
  function fromPythonAndTypeScript(script: string, stackName: string, props: EventSourcedApiProps) {
    const pyOut = fs.mkdtempSync(path.join(os.tmpdir(), 'bindings-py-'));
    run(python, [path.join(__dirname, 'apps', script)], { env: { ...process.env, CDK_OUTDIR: pyOut } });
    const fromPython = JSON.parse(fs.readFileSync(path.join(pyOut, `${stackName}.template.json`), 'utf8'));
    const tsOut = fs.mkdtempSync(path.join(os.tmpdir(), 'bindings-ts-'));
    const app = new App({ outdir: tsOut });
    new EventSourcedApi(new Stack(app, stackName), 'Orders', props);
    synthApp(app);
    recordTemplate(fromPython);
    return { fromPython, fromTypeScript: JSON.parse(fs.readFileSync(path.join(tsOut, `${stackName}.template.json`), 'utf8')) };
  }

  test('an HTTP API with JWT authorization (ApiKind, ApiAuthorization.jwt) synthesizes from Python as from TypeScript', () => {
    const { fromPython, fromTypeScript } = fromPythonAndTypeScript('http_api.py', 'HttpOrdersApi', {
      api: { kind: ApiKind.HTTP, authorization: ApiAuthorization.jwt('https://issuer.example.com/', ['orders-client'], ['orders/write']), throttlingRateLimit: 20 },
    });
    expect(differences(normalizeTemplate(fromPython), normalizeTemplate(fromTypeScript))).toEqual([]);
    expect(Object.values<any>(fromPython.Resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Authorizer')).toHaveLength(1);
  });

  test('appending without a Lambda (WritePath.DIRECT) synthesizes from Python as from TypeScript', () => {
    const { fromPython, fromTypeScript } = fromPythonAndTypeScript('direct_append.py', 'DirectOrdersApi', {
      streamIdField: 'orderId',
      maxBodyBytes: 20000,
      api: { writePath: WritePath.DIRECT, cors: { allowOrigins: ['https://app.example.com'] } },
    });
    expect(differences(normalizeTemplate(fromPython), normalizeTemplate(fromTypeScript))).toEqual([]);
    const post = Object.values<any>(fromPython.Resources).find((r) => r.Type === 'AWS::ApiGateway::Method' && r.Properties.HttpMethod === 'POST');
    expect(post.Properties.Integration.Type).toBe('AWS');
    expect(Object.values<any>(fromPython.Resources).filter((r) => r.Type === 'AWS::Lambda::Function' && /appends events/.test(r.Properties.Description))).toEqual([]);
  });

  test('a view with indexes (ViewIndex, IndexKey, IndexKeyType) synthesizes from Python as from TypeScript', () => {
    const { fromPython, fromTypeScript } = fromPythonAndTypeScript('view_indexes.py', 'IndexedOrdersApi', {
      projections: [{
        name: 'orders',
        entry: COUNTER,
        indexes: [
          { name: 'byCustomer', partitionKey: { field: 'customer', type: IndexKeyType.STRING }, sortKey: { field: 'placedAt', type: IndexKeyType.NUMBER } },
          { name: 'byStatus', partitionKey: { field: 'status', type: IndexKeyType.STRING } },
        ],
      }],
    });
    expect(differences(normalizeTemplate(fromPython), normalizeTemplate(fromTypeScript))).toEqual([]);
    const backfill = Object.values<any>(fromPython.Resources).find((r) => r.Type === 'Custom::ViewBackfill');
    expect(JSON.parse(backfill.Properties.indexes).map((i: { name: string }) => i.name)).toEqual(['byCustomer', 'byStatus']);
  });

  test('Python bundled the JavaScript projections with the esbuild shipped in the package, no esbuild on PATH', () => {
    const userPath = (process.env.PATH ?? '').split(path.delimiter).filter((p) => !p.includes('node_modules')).join(path.delimiter);
    expect(spawnSync('sh', ['-c', 'command -v esbuild'], { env: { PATH: userPath } }).status).not.toBe(0);
    const aggregator = Object.values<any>(pythonTemplate.Resources)
      .find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.VIEW_NAME === 'summary');
    const code = fs.readFileSync(path.join(pythonOut, `asset.${aggregator.Properties.Code.S3Key.replace('.zip', '')}`, 'index.js'), 'utf8');
    expect(code).toContain('OrderPlaced needs a whole, non-negative amountCents');
    expect(code).toContain('batchItemFailures');
  });
});

describe('props written as dicts, from Python', () => {
  const outcomes = () => JSON.parse(run(python, [path.join(__dirname, 'apps', 'dict_props.py'), COUNTER]).trim().split('\n').pop()!);

  test('values are checked and errors name the TypeScript path; a dict\'s unknown key never reaches the construct', () => {
    const found = outcomes();
    const outOfRange = { error: 'RuntimeError', message: 'projections[0].batchSize must be a whole number from 1 to 10, got 99.' };
    expect(found.struct_out_of_range).toEqual(outOfRange);
    expect(found.dict_camel).toEqual({ batchSize: 3 });
    expect(found.dict_camel_out_of_range).toEqual(outOfRange);
    // The jsii runtime keeps only a struct's own keys of a dict in a list (its kernel's struct
    // deserializer), so "batch_size" is gone before the construct could refuse it: the reason the
    // docs say to write ProjectionDefinition(...). Should jsii ever pass it on, the construct
    // refuses it (test/src/unknown-keys.test.ts) and this expectation fails, to be updated.
    expect(found.dict_snake).toEqual({ batchSize: 10 });
    // A dict for a struct prop (not in a list) is made into the struct's class by the generated
    // Python code: snake_case keys work, and a camelCase one fails at the user's line.
    expect(found.api_dict_snake).toEqual({ synthesized: true });
    expect(found.api_dict_camel).toEqual({ error: 'TypeError', message: expect.stringContaining("unexpected keyword argument 'stageName'") });
  });
});

describe('the API as Python sees it', () => {
  const introspect = () => JSON.parse(run(python, ['-c', `
import inspect, json
import cdk_event_sourced_api as m
def members(cls): return sorted(n for n in dir(cls) if not n.startswith('_'))
print(json.dumps({
  'exports': sorted(n for n in dir(m) if not n.startswith('_')),
  'api_members': members(m.EventSourcedApi),
  'projection_members': members(m.Projection),
  'props_params': list(inspect.signature(m.EventSourcedApiProps.__init__).parameters),
  'auth_members': members(m.ApiAuthorization),
  'stream_id_doc': inspect.getdoc(m.EventSourcedApiProps.stream_id_field),
  'class_doc': inspect.getdoc(m.EventSourcedApi),
}))
`]));

  test('names read naturally in snake_case, with keyword props', () => {
    const api = introspect();
    expect(api.exports).toEqual(expect.arrayContaining(['ApiAuthorization', 'EventSourcedApi', 'EventSourcedApiProps', 'Projection', 'ProjectionDefinition', 'RestApiOptions', 'FunctionTuning']));
    expect(api.api_members).toEqual(expect.arrayContaining(['grant_append', 'grant_read', 'grant_read_events', 'grant_read_views', 'projection', 'events_table', 'publisher_failure_queue', 'rest_api', 'default_view', 'maintenance_function', 'jobs_queue']));
    expect(api.projection_members).toEqual(expect.arrayContaining(['aggregator', 'dead_letter_queue', 'queue', 'table', 'name', 'version', 'previous_table']));
    expect(api.props_params).toEqual(expect.arrayContaining(['self', 'projections', 'stream_id_field', 'existing_events_table', 'max_body_bytes', 'api', 'catch_up_rate', 'writer', 'reader', 'publisher', 'events_table_deletion_protection']));
    expect(api.auth_members).toEqual(expect.arrayContaining(['iam', 'none', 'authorizer', 'cognito', 'jwt', 'http_authorizer']));
    expect(api.exports).toEqual(expect.arrayContaining(['ApiKind', 'JwtIssuer', 'WritePath']));
    expect(api.api_members).toEqual(expect.arrayContaining(['direct_append_role', 'writer']));
    expect(api.api_members).toEqual(expect.arrayContaining(['http_api', 'metric_api_requests']));
    expect(api.api_members.filter((n: string) => /[A-Z]/.test(n))).toEqual([]);
  });

  test('docs and defaults carry over', () => {
    const api = introspect();
    expect(api.stream_id_doc).toMatch(/stream \(aggregate\) id/);
    expect(api.stream_id_doc).toMatch(/:default: 'id'/);
    expect(api.class_doc).toMatch(/complete event-sourced API/);
  });

  test('the package README is translated by jsii-rosetta: each example once, in Python, no TypeScript left', () => {
    const metadata = run(python, ['-c', 'import importlib.metadata as md; print(md.metadata("cdk-event-sourced-api").get_payload())']);
    const pythonBlocks = [...metadata.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]);
    // Each example once, in Python: the README's TypeScript blocks translated, and its GitHub-only
    // hand-written Python and Java examples left out (scripts/package-readme.ts).
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toMatch(/<!-- github-only -->\nIn Python:\n\n```python\n/);
    expect(pythonBlocks).toHaveLength([...readme.matchAll(/^```ts$/gm)].length);
    expect(pythonBlocks.join('\n').split('api.grant_append(')).toHaveLength(2);
    expect(metadata).not.toMatch(/```java|^In (Python|Java|TypeScript):/m);
    // No TypeScript left under a python label, and no TypeScript block left untranslated.
    for (const block of pythonBlocks) expect(block).not.toMatch(/\bnew [A-Z]|\bconst |=>|\bthis\b|;\s*$/m);
    expect(metadata).not.toMatch(/```(ts|typescript)\b/);
    // Every block that uses the construct imports it, and no import names a thing twice.
    for (const block of pythonBlocks.filter((b) => b.includes('EventSourcedApi('))) expect(block).toMatch(/^(import cdk_event_sourced_api|from cdk_event_sourced_api import .*EventSourcedApi)/m);
    expect(pythonBlocks.join('\n')).not.toMatch(/import .*\b(\w+), \1\b/);
  });
});

describe('the package as a TypeScript projection author sees it', () => {
  test('cdk-event-sourced-api/projection (projection.d.ts, shipped in the npm package) types a projection under tsc --strict', () => {
    expect(fs.readFileSync(path.join(ROOT, '.npmignore'), 'utf8')).toMatch(/^!\/projection\.d\.ts$/m);
    const { status, output } = compileProjection(TYPED_PROJECTION, path.join(ROOT, 'projection.d.ts'));
    expect(output).toBe('');
    expect(status).toBe(0);
  });
});

describe('the API as Java sees it', () => {
  const sources = () => {
    const jar = execFileSync('sh', ['-c', `find ${path.join(ROOT, 'dist', 'java')} -name '*-sources.jar' | head -1`], { encoding: 'utf8' }).trim();
    expect(jar).not.toBe('');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bindings-java-src-'));
    run('unzip', ['-q', '-o', jar, '-d', dir]);
    const read = (name: string) => fs.readFileSync(path.join(dir, 'io', 'github', 'cdkeventsourcedapi', `${name}.java`), 'utf8');
    return {
      api: read('EventSourcedApi'),
      props: read('EventSourcedApiProps'),
      projection: read('Projection'),
      definition: read('ProjectionDefinition'),
      kind: read('ApiKind'),
      writePath: read('WritePath'),
      options: read('RestApiOptions'),
      authorization: read('ApiAuthorization'),
    };
  };

  test('builders, getters and javadoc with defaults', () => {
    const { api, props, projection } = sources();
    expect(api).toMatch(/public static final class Builder/);
    expect(api).toMatch(/public @org\.jetbrains\.annotations\.NotNull software\.amazon\.awscdk\.services\.iam\.Grant grantAppend\(/);
    expect(projection).toMatch(/getDeadLetterQueue\(\)/);
    expect(props).toMatch(/getStreamIdField\(\)/);
    expect(props).toMatch(/Default: 'id'/);
    expect(props).toMatch(/Builder catchUpRate\(java\.lang\.Number catchUpRate\)/);
    expect(props).toMatch(/Builder writer\(io\.github\.cdkeventsourcedapi\.FunctionTuning writer\)/);
    expect(props).toMatch(/Builder eventsTableDeletionProtection\(java\.lang\.Boolean eventsTableDeletionProtection\)/);
    expect(sources().definition).toMatch(/Builder version\(java\.lang\.Number version\)/);
    expect(props).toMatch(/Builder projections\(java\.util\.List<\? extends io\.github\.cdkeventsourcedapi\.ProjectionDefinition> projections\)/);
  });

  test('the HTTP API front door: ApiKind.HTTP and the jwt() and httpAuthorizer() factories', () => {
    const { kind, authorization } = sources();
    expect(kind).toMatch(/public enum ApiKind/);
    expect(kind).toMatch(/^\s+HTTP,?$/m);
    expect(authorization).toMatch(/public static @org\.jetbrains\.annotations\.NotNull io\.github\.cdkeventsourcedapi\.ApiAuthorization jwt\(final @org\.jetbrains\.annotations\.NotNull java\.lang\.String issuer, final @org\.jetbrains\.annotations\.NotNull java\.util\.List<java\.lang\.String> audience/);
    expect(authorization).toMatch(/httpAuthorizer\(final @org\.jetbrains\.annotations\.NotNull software\.amazon\.awscdk\.services\.apigatewayv2\.IHttpRouteAuthorizer authorizer/);
  });

  test('the write path: WritePath.DIRECT and RestApiOptions.writePath, with its default in the javadoc', () => {
    const { writePath, options, api } = sources();
    expect(writePath).toMatch(/public enum WritePath/);
    expect(writePath).toMatch(/^\s+DIRECT,?$/m);
    expect(options).toMatch(/Builder writePath\(io\.github\.cdkeventsourcedapi\.WritePath writePath\)/);
    expect(options).toMatch(/Default: WritePath\.LAMBDA/);
    expect(api).toMatch(/public @org\.jetbrains\.annotations\.Nullable software\.amazon\.awscdk\.services\.lambda\.IFunction getWriter\(\)/);
  });
});

describe('the CLI in a Python app\'s folder: npx, no package.json', () => {
  test('npx runs the packed CLI on the Python app: local starts, a POST appends, the view answers, Ctrl-C stops it', async () => {
    // The example app, copied outside the repository: app.py, cdk.json and its projections.
    const appDir = fs.mkdtempSync(path.join(os.tmpdir(), 'python-app-'));
    for (const file of ['app.py', 'cdk.json']) fs.copyFileSync(path.join(ROOT, 'examples', 'python', file), path.join(appDir, file));
    fs.cpSync(path.join(ROOT, 'examples', 'python', 'projections'), path.join(appDir, 'projections'), { recursive: true });
    // A Python user's shell: the virtualenv first, Node and npm but nothing of this repository's
    // node_modules, no AWS_* (so the CLI starts its own DynamoDB Local).
    const env = userEnv({ venv: true });
    const started = Date.now();
    // As the guide runs it, `npx --yes cdk-event-sourced-api-cli local --app "python3 app.py"`, with
    // the packed tarball for the package name.
    const cli = spawn('npx', ['--yes', `--package=${cliTarball()}`, '--', 'cdk-event-sourced-api', 'local', '--app', 'python3 app.py', '--port', '0'],
      { cwd: appDir, env, detached: true });
    let output = '';
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    cli.stdout!.on('data', (chunk) => { output += chunk; });
    cli.stderr!.on('data', (chunk) => { output += chunk; });
    cli.on('exit', (code, signal) => { exit = { code, signal }; });
    try {
      await until('the Ready line', () => /^Ready/m.test(output) || exit !== undefined, 4 * 60_000, 200)
        .catch((e) => { throw new Error(`${e.message}; it printed:\n${output}`); });
      if (exit) throw new Error(`local exited (${JSON.stringify(exit)}) before it was ready:\n${output}`);
      timings.record('npx CLI in the Python app: install, synth and start to Ready', Date.now() - started);
      const url = /https?:\/\/127\.0\.0\.1:\d+/.exec(output.slice(output.search(/^Ready/m)))![0];
      const posted = await fetch(`${url}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'CustomerRegistered', id: 'customer-py', name: 'Ada' }) });
      expect(posted.status).toBe(201);
      expect(await posted.json()).toMatchObject({ streamId: 'customer-py', version: 1 });
      const read = await fetch(`${url}/customer-py?minVersion=1`);
      expect(await read.json()).toEqual({ id: 'customer-py', version: 1, name: 'Ada', status: 'active' });
      // The app's library (the wheel) and the CLI are the same version: no warning.
      expect(output).not.toMatch(/is running an app built with/);
      // Nothing was installed into the app's folder.
      expect(fs.readdirSync(appDir).filter((f) => /^(package\.json|package-lock\.json|node_modules)$/.test(f))).toEqual([]);
    } finally {
      if (!exit) process.kill(-cli.pid!, 'SIGINT');
      await until('local to exit after SIGINT', () => exit !== undefined, 60_000, 100).catch(() => process.kill(-cli.pid!, 'SIGKILL'));
      fs.rmSync(appDir, { recursive: true, force: true });
    }
  }, 6 * 60_000);
});
