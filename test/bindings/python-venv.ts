/**
 * The virtualenv the bindings tests run Python in: examples/python's requirements (its tests' and
 * type check's included) and the wheel built from this repository. Made once, kept in
 * node_modules/.cache; each test file brings it up to date (pip skips what is installed).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');
export const VENV = path.join(ROOT, 'node_modules', '.cache', 'bindings-venv');
export const PYTHON = path.join(VENV, 'bin', 'python');

/** Runs a command; answers its standard output, or throws with all it printed. */
export function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const result = spawnSync(command, args, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

function wheel(): string {
  const dir = path.join(ROOT, 'dist', 'python');
  const found = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => f.endsWith('.whl')) : undefined;
  if (!found) throw new Error('No wheel in dist/python: run `npx projen compile && npx projen package:python` first');
  return path.join(dir, found);
}

export function preparePythonVenv(): void {
  if (!fs.existsSync(PYTHON)) run('python3', ['-m', 'venv', VENV]);
  run(PYTHON, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', 'examples/python/requirements-dev.txt']);
  run(PYTHON, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--force-reinstall', '--no-deps', wheel()]);
}

/** The CLI's tarball, `npx projen package:cli` packed (test:bindings packs it first). */
export function cliTarball(): string {
  const dir = path.join(ROOT, 'dist', 'cli');
  const found = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => f.endsWith('.tgz')) : undefined;
  if (!found) throw new Error('No tarball in dist/cli: run `npx projen package:cli` first');
  return path.join(dir, found);
}

/**
 * A Python or Java user's shell: Node and npm but nothing of this repository's node_modules on
 * PATH (the virtualenv first, when asked), no AWS_* (so the CLI starts its own DynamoDB Local).
 */
export function userEnv(options: { venv?: boolean } = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  const userPath = (process.env.PATH ?? '').split(path.delimiter).filter((p) => !p.includes('node_modules')).join(path.delimiter);
  env.PATH = options.venv ? `${path.dirname(PYTHON)}${path.delimiter}${userPath}` : userPath;
  if (options.venv) env.VIRTUAL_ENV = VENV;
  return env;
}
