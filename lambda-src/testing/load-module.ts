import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as esbuild from 'esbuild-wasm';
import { SpecUsageError } from './spec-events';

interface ModuleInternals {
  _nodeModulePaths(dir: string): string[];
  _compile(code: string, filename: string): void;
}

/** Modules loaded in this process, by path, size and modification time (a spec file's cases share one). */
const loaded = new Map<string, unknown>();

/**
 * Loads a projection or upcasters module (TypeScript or JavaScript) in this process with
 * esbuild-wasm, the bundler the construct ships and bundles projections with at synth, not
 * ts-node: the file and what it imports are bundled into one CommonJS module, packages left to
 * Node's resolution from the file's folder, as a test runner would load them.
 */
export function loadModule(file: string, what = 'projection'): unknown {
  const absolute = path.resolve(file);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(absolute);
  } catch {
    throw new SpecUsageError(`The ${what} module ${file} does not exist (resolved to ${absolute})`);
  }
  const key = `${absolute}:${stat.mtimeMs}:${stat.size}`;
  if (loaded.has(key)) return loaded.get(key);
  let code: string;
  try {
    code = esbuild.buildSync({
      entryPoints: [absolute],
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      // Stack traces of a failing handler can be mapped back to the file (node --enable-source-maps).
      sourcemap: 'inline',
      sourcesContent: false,
      logLevel: 'silent',
    }).outputFiles[0].text;
  } catch (err) {
    const errors = (err as { errors?: Array<{ text: string; location?: { file: string; line: number } }> }).errors;
    const detail = errors?.map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text)).join('; ') ?? String(err);
    throw new SpecUsageError(`Could not bundle the ${what} module ${file}: ${detail}`);
  }
  const mod = new Module(absolute) as Module & ModuleInternals;
  mod.filename = absolute;
  mod.paths = (Module as unknown as ModuleInternals)._nodeModulePaths(path.dirname(absolute));
  mod._compile(code, absolute);
  loaded.set(key, mod.exports);
  return mod.exports;
}
