#!/usr/bin/env node
/**
 * cdk-event-sourced-api local: runs the EventSourcedApis of a CDK app on this machine.
 *
 *   npx cdk-event-sourced-api local                    # the app in ./cdk.json
 *   npx cdk-event-sourced-api local --app "npx ts-node app.ts" --port 3000
 *   npx cdk-event-sourced-api local --assembly cdk.out # an app synthesized already
 *   npx cdk-event-sourced-api local --ready-file .es-ready.json  # URLs as JSON, for tests in any language
 *   npx cdk-event-sourced-api status --stack Shop      # operator commands: status, backfill, rebuild, replay, redrive, discard
 *   npx cdk-event-sourced-api wait-idle --local URL    # until every event is applied (local only)
 *   npx cdk-event-sourced-api test projections/        # runs projection spec files (--junit out.xml)
 *   npx cdk-event-sourced-api spec --stream s-1 --view summary --local URL  # records a stream as a spec file
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiDefinition, readCloudAssembly } from './cloud-assembly';
import { versionMismatchNote } from './library-version';
import { COMMANDS } from './operator/command-names';
import { requirePackages } from './packages';
import { watchParent } from './parent-watch';
import { readyFileContent, removeReadyFile, writeReadyFile } from './ready-file';

const USAGE = `Usage: cdk-event-sourced-api local [options]

Runs every EventSourcedApi of a CDK app locally: the real Lambda code, DynamoDB Local,
an in-memory SNS/SQS fan-out, and the REST routes on http://127.0.0.1.

Options:
  --app <command>            command that synthesizes the app (default: "app" of ./cdk.json)
  --assembly <dir>           use a synthesized cloud assembly (cdk.out) instead of --app
  --port <n>                 port of the HTTP server (default: any free port)
  --data <dir>               keep the store (tables, queues, stream position) in <dir> across
                             runs: a view added or a version raised meanwhile is backfilled
                             or rebuilt on start, as on deploy
  --visibility-timeout <ms>  delay before a failed message is retried (default: 1000)
  --function-logs            also print the Lambda functions' own log lines
  --chaos                    AWS's worst case: duplicated, reordered and early-redelivered
                             messages, parallel pollers, varied batches, throttling, crashes
                             and timeouts mid-batch, lagging indexes (the seed is printed
                             at start)
  --chaos-seed <n>           chaos mode with this seed (to replay a run)
  --ready-file <path>        once ready, write the URLs as JSON to <path> (atomically):
                             {"url", "operatorUrl", "apis": [{"path", "url", "views"}], "pid"};
                             removed when it stops. For tests: start local, wait for the file,
                             then \`wait-idle --local <operatorUrl>\` after appending
  -h, --help                 show this help

Environment: AWS_ENDPOINT_URL_DYNAMODB points the store at a DynamoDB Local already
running; without it, an in-memory one is started (needs Java 17 or later).

Operator commands (a deployed stack, or this local runtime by its operator URL):
  cdk-event-sourced-api status|backfill|rebuild|replay|redrive|discard|wait-idle --help

Projection specs:
  cdk-event-sourced-api test [paths...] [--junit <file>]   runs spec files (*.spec.yaml|yml|json)
  cdk-event-sourced-api spec --stream <id> --view <v> (--local <url> | --stack <name>)
                             records a stream's events and a view's record as a spec file
  cdk-event-sourced-api test|spec --help`;

export interface CliOptions {
  app?: string;
  assembly?: string;
  port?: number;
  dataDir?: string;
  visibilityTimeoutMs?: number;
  functionLogs: boolean;
  chaos?: { seed?: number };
  readyFile?: string;
}

export function parseArgs(argv: string[]): CliOptions | 'help' {
  const [command, ...rest] = argv;
  if (command === '-h' || command === '--help' || command === undefined) return 'help';
  if (command !== 'local') throw new Error(`Unknown command "${command}"\n\n${USAGE}`);
  const options: CliOptions = { functionLogs: false };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    const number = () => {
      const v = value();
      if (!/^\d+$/.test(v)) throw new Error(`${arg} needs a whole number, got "${v}"`);
      return Number(v);
    };
    if (arg === '--app') options.app = value();
    else if (arg === '--assembly') options.assembly = value();
    else if (arg === '--port') options.port = number();
    else if (arg === '--data') options.dataDir = value();
    else if (arg === '--visibility-timeout') options.visibilityTimeoutMs = number();
    else if (arg === '--function-logs') options.functionLogs = true;
    else if (arg === '--chaos') options.chaos = options.chaos ?? {};
    else if (arg === '--chaos-seed') options.chaos = { seed: number() };
    else if (arg === '--ready-file') options.readyFile = value();
    else if (arg === '-h' || arg === '--help') return 'help';
    else throw new Error(`Unknown option "${arg}"\n\n${USAGE}`);
  }
  if (options.app && options.assembly) throw new Error('Use --app or --assembly, not both');
  return options;
}

/** Runs the app command with CDK_OUTDIR set, as the CDK CLI does; returns the assembly folder. */
export function synthesize(appCommand: string, cwd: string, tmpDir = os.tmpdir()): string {
  const outdir = fs.mkdtempSync(path.join(tmpDir, 'es-api-local-assembly-'));
  try {
    const result = spawnSync(appCommand, { cwd, shell: true, stdio: 'inherit', env: { ...process.env, CDK_OUTDIR: outdir } });
    if (result.status !== 0) throw new Error(`The app command failed (exit ${result.status}): ${appCommand}`);
    if (!fs.existsSync(path.join(outdir, 'manifest.json'))) throw new Error('The app command wrote no cloud assembly: does it call app.synth()?');
    return outdir;
  } catch (err) {
    fs.rmSync(outdir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * The options with every path made absolute against `cwd`, the folder the CLI was started in:
 * the runtime and the functions it starts must not depend on a working directory.
 */
export function resolvePaths(options: CliOptions, cwd: string): CliOptions {
  return {
    ...options,
    ...(options.assembly !== undefined ? { assembly: path.resolve(cwd, options.assembly) } : {}),
    ...(options.dataDir !== undefined ? { dataDir: path.resolve(cwd, options.dataDir) } : {}),
    ...(options.readyFile !== undefined ? { readyFile: path.resolve(cwd, options.readyFile) } : {}),
  };
}

/** The first thing to try, in the first API's own terms: its stream id field, JSON, and the expectedVersion DIRECT requires. */
export function startHint(definition: ApiDefinition, url: string, operatorUrl: string): string {
  const event = { type: 'Created', [definition.streamIdField]: 's-1', ...(definition.directAppend ? { expectedVersion: 0 } : {}) };
  // curl -d alone sends application/x-www-form-urlencoded, which DIRECT's integration refuses (415).
  return `\nReady. Try:\n  curl -X POST ${url}/ -H 'Content-Type: application/json' -d '${JSON.stringify(event)}'\n  curl ${url}/\n` +
    `  npx cdk-event-sourced-api status --local ${operatorUrl}\nCtrl-C stops.`;
}

function appFromCdkJson(cwd: string): string {
  const file = path.join(cwd, 'cdk.json');
  if (!fs.existsSync(file)) throw new Error('No --app, --assembly or ./cdk.json: tell me how to synthesize the app');
  const app = JSON.parse(fs.readFileSync(file, 'utf8')).app;
  if (typeof app !== 'string') throw new Error(`${file} has no "app" command`);
  return app;
}

async function main(): Promise<void> {
  // Lambda's clock is UTC. The timezone is the whole process's (worker threads cannot have their
  // own), and this process runs only the local runtime.
  process.env.TZ = 'UTC';
  // The AWS SDK's banner on the Node majors its future releases need is about the SDK, not this
  // run, and would be printed here by the operator commands' and the runtime's own clients (the
  // runtime already gives the functions the same setting). Other warnings still print.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const argv = process.argv.slice(2);
  if ((COMMANDS as readonly string[]).includes(argv[0])) return operator(argv);
  if (argv[0] === 'test') return specTests(argv.slice(1));
  if (argv[0] === 'spec') return recordSpec(argv.slice(1));
  const args = parseArgs(argv);
  if (args === 'help') {
    console.log(USAGE);
    return;
  }
  const cwd = process.cwd();
  const parsed = resolvePaths(args, cwd);
  // A file left by a run that was killed must not pass for this run's.
  if (parsed.readyFile) removeReadyFile(parsed.readyFile);
  const assemblyDir = parsed.assembly ?? synthesize(parsed.app ?? appFromCdkJson(cwd), cwd);
  try {
    await runLocal(parsed, assemblyDir);
  } finally {
    // The assembly synthesized for this run, whether it ran or failed to start.
    if (!parsed.assembly) fs.rmSync(assemblyDir, { recursive: true, force: true });
  }
}

/** Starts the runtime on an assembly and runs it until Ctrl-C, SIGTERM or the parent's exit. */
async function runLocal(parsed: CliOptions, assemblyDir: string): Promise<void> {
  // Before anything starts: every SDK client the app's functions need, in one install command
  // (a half-installed set would start, then answer every request with 502).
  requirePackages(readCloudAssembly(assemblyDir, { tablePrefix: '' }));
  const mismatch = versionMismatchNote(assemblyDir);
  if (mismatch) console.warn(`cdk-event-sourced-api: ${mismatch}`);
  // Loaded lazily, so the check above runs before its imports do.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { LocalRuntime } = require('./local-runtime') as typeof import('./local-runtime');
  const runtime = await LocalRuntime.start({
    assemblyDir,
    port: parsed.port,
    dataDir: parsed.dataDir,
    visibilityTimeoutMs: parsed.visibilityTimeoutMs,
    functionLogs: parsed.functionLogs,
    chaos: parsed.chaos,
  });
  console.log(startHint(runtime.apis[0].definition, runtime.url, runtime.operatorUrl));
  let stopWatching = () => {};
  try {
    if (parsed.readyFile) writeReadyFile(parsed.readyFile, readyFileContent(runtime));
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
      stopWatching = watchParent(() => {
        console.log('cdk-event-sourced-api: the process that started the local runtime is gone; stopping.');
        resolve();
      });
    });
  } finally {
    // First: its URLs stop answering as the runtime stops.
    if (parsed.readyFile) removeReadyFile(parsed.readyFile);
    stopWatching();
    await runtime.stop();
  }
}

/** status, backfill, rebuild, replay, redrive, discard: the operator commands. */
async function operator(argv: string[]): Promise<void> {
  // Loaded lazily, as the runtime is: `local` needs none of it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ops = require('./operator/cli') as typeof import('./operator/cli');
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(ops.OPERATOR_USAGE);
    return;
  }
  const args = ops.parseOperatorArgs(argv);
  console.log(await ops.runOperator(args));
}

/** test: runs spec files; a failure (or nothing to run) is exit code 1. */
async function specTests(argv: string[]): Promise<void> {
  // Loaded lazily: the test kit and its bundler are for this command only.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tests = require('./spec-tests') as typeof import('./spec-tests');
  const args = tests.parseTestArgs(argv);
  if (args === 'help') {
    console.log(tests.TEST_USAGE);
    return;
  }
  const run = await tests.runTests(args, process.cwd(), (line) => console.log(line));
  if (!run.passed) process.exitCode = 1;
}

/** spec: a stream and a view's record, written as a spec file. */
async function recordSpec(argv: string[]): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const record = require('./operator/record-spec') as typeof import('./operator/record-spec');
  const args = record.parseSpecArgs(argv);
  if (args === 'help') {
    console.log(record.SPEC_USAGE);
    return;
  }
  console.log(await record.runSpecCommand(args, process.cwd()));
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`cdk-event-sourced-api: ${String((err as Error).message ?? err)}`);
    process.exit(1);
  });
}
