/**
 * From an empty folder to `local` answering, as a new user gets there, with the packages this
 * repository packed (dist/js, dist/cli, dist/python: `npx projen package:js package:cli
 * package:python` first) and everything else from the registries, through empty npm and pip
 * caches (so every download counts):
 *
 * - a TypeScript app: docs/getting-started-typescript.md's own lines (npm installs, files, tsc,
 *   cdk synth), then its `local` command, to the first POST answered;
 * - a Python app: a virtualenv with the example's requirements and the wheel, then
 *   `npx --yes <the CLI> local --app "python3 app.py"` in a folder with no package.json, to the
 *   first POST answered.
 *
 * `npm run benchmark:install` (a few minutes; it prints each step's time).
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OWN_PACKAGES, walkthrough } from '../test/support/walkthrough';

const ROOT = path.join(__dirname, '..');

function packed(dir: string, pattern: RegExp): string {
  const folder = path.join(ROOT, 'dist', dir);
  const found = fs.existsSync(folder) ? fs.readdirSync(folder).find((f) => pattern.test(f)) : undefined;
  if (!found) throw new Error(`Nothing matching ${pattern} in dist/${dir}: run npx projen package:js package:cli package:python first`);
  return path.join(folder, found);
}

/** A new user's shell: empty caches, no AWS_* and nothing of this repository's node_modules on PATH. */
function userEnv(scratch: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && !name.startsWith('npm_')));
  env.PATH = (process.env.PATH ?? '').split(path.delimiter).filter((p) => !p.includes('node_modules')).join(path.delimiter);
  env.npm_config_cache = path.join(scratch, 'npm-cache');
  env.PIP_CACHE_DIR = path.join(scratch, 'pip-cache');
  return env;
}

function timed(label: string, command: string, cwd: string, env: NodeJS.ProcessEnv): number {
  const start = Date.now();
  const result = spawnSync('bash', ['-c', command], { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${label} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  const seconds = (Date.now() - start) / 1000;
  console.log(`    ${label.padEnd(44)} ${seconds.toFixed(1)} s`);
  return seconds;
}

/** Starts `local` and answers the seconds to its first POST answered; stops it. */
async function localAnswers(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  const start = Date.now();
  const cli: ChildProcess = spawn('bash', ['-c', `exec ${command}`], { cwd, env, detached: true });
  let output = '';
  cli.stdout!.on('data', (chunk) => { output += chunk; });
  cli.stderr!.on('data', (chunk) => { output += chunk; });
  try {
    for (;;) {
      const url = /^Ready[\s\S]*?(http:\/\/127\.0\.0\.1:\d+)/m.exec(output)?.[1];
      if (url) {
        const answer = await fetch(`${url}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'CustomerRegistered', id: 'c-1', name: 'Ada' }) });
        if (answer.status !== 201) throw new Error(`POST answered ${answer.status}: ${await answer.text()}`);
        break;
      }
      if (cli.exitCode !== null || Date.now() - start > 5 * 60_000) throw new Error(`local did not get ready:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const seconds = (Date.now() - start) / 1000;
    console.log(`    ${'local: to the first POST answered'.padEnd(44)} ${seconds.toFixed(1)} s`);
    return seconds;
  } finally {
    process.kill(-cli.pid!, 'SIGINT');
    await new Promise((resolve) => cli.once('exit', resolve));
  }
}

async function typescriptApp(scratch: string): Promise<number> {
  console.log('  TypeScript app (docs/getting-started-typescript.md):');
  const tarballs = { [OWN_PACKAGES[0]]: packed('js', /\.jsii\.tgz$/), [OWN_PACKAGES[1]]: packed('cli', /\.tgz$/) };
  const page = walkthrough(fs.readFileSync(path.join(ROOT, 'docs', 'getting-started-typescript.md'), 'utf8'), tarballs);
  const env = userEnv(scratch);
  const folder = path.join(scratch, 'ts');
  fs.mkdirSync(folder);
  const setup = timed('setup (npm installs, files, tsc, cdk synth)', `${page.setup}pwd > '${path.join(scratch, 'app-dir')}'`, folder, env);
  const appDir = fs.readFileSync(path.join(scratch, 'app-dir'), 'utf8').trim();
  return setup + await localAnswers(page.start.replace(/--port \d+/, '--port 0'), appDir, env);
}

async function pythonApp(scratch: string): Promise<number> {
  console.log('  Python app (examples/python, the CLI through npx, no package.json):');
  const env = userEnv(scratch);
  const appDir = path.join(scratch, 'py');
  fs.cpSync(path.join(ROOT, 'examples', 'python'), appDir, { recursive: true, filter: (f) => !/cdk\.out|__pycache__/.test(f) });
  const venv = timed('python3 -m venv, pip install (requirements, wheel)', [
    'python3 -m venv .venv',
    '.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt',
    `.venv/bin/pip install --quiet --disable-pip-version-check '${packed('python', /\.whl$/)}'`,
  ].join(' && '), appDir, env);
  const venvEnv = { ...env, PATH: `${path.join(appDir, '.venv', 'bin')}${path.delimiter}${env.PATH}`, VIRTUAL_ENV: path.join(appDir, '.venv') };
  const cli = packed('cli', /\.tgz$/);
  return venv + await localAnswers(`npx --yes --package='${cli}' -- cdk-event-sourced-api local --app "python3 app.py" --port 0`, appDir, venvEnv);
}

async function main(): Promise<void> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'install-bench-'));
  try {
    const userNode = spawnSync('node', ['--version'], { env: userEnv(scratch), encoding: 'utf8' }).stdout.trim();
    console.log(`From an empty folder and empty npm and pip caches to local answering (the user's Node: ${userNode}):`);
    const ts = await typescriptApp(scratch);
    console.log(`  TypeScript app, in all: ${ts.toFixed(1)} s`);
    const py = await pythonApp(scratch);
    console.log(`  Python app, in all: ${py.toFixed(1)} s`);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
