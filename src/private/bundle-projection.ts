import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild-wasm';
import { assetDir } from './assets';
import { LAMBDA_BUNDLE_OPTIONS } from './lambda-bundle-options';
import { dropSources } from './source-map';

/** A projection bundled in memory: files by name, written into the cloud assembly by `generatedCode`. */
export interface ProjectionBundle {
  /** `index.js` (the handler, ending in a `sourceMappingURL` comment) and `index.js.map`. */
  readonly files: Readonly<Record<string, string>>;
  /** sha256 of the files: the asset's hash. */
  readonly hash: string;
}

/** Bundles reused within one synth, keyed by entry file and its modification. */
const bundles = new Map<string, ProjectionBundle>();

/**
 * Bundles a user's projection entry with the aggregator runtime into one minified file with a
 * linked source map, in memory (nothing is written outside the cloud assembly). esbuild-wasm
 * ships inside this package, so TypeScript, Python and Java apps need no bundler of their own.
 * The AWS SDK v3 is left to the Lambda runtime.
 *
 * The map's `sources` are relative to the working directory of synth (the app's folder, such as
 * `projections/summary.ts`), so they read the same on every machine and keep the asset's hash
 * stable. It maps the user's files only (the aggregator runtime is minified code of the
 * library's, the wrapper a line of this function's) and has no `sourcesContent`: a stack trace
 * needs positions, not text, and this keeps the map a small fraction of the code.
 */
export function bundleProjection(projectionName: string, entry: string): ProjectionBundle {
  const absolute = path.resolve(entry);
  const stat = fs.statSync(absolute);
  const key = `${absolute}:${stat.mtimeMs}:${stat.size}`;
  const cached = bundles.get(key);
  if (cached) return cached;

  const runtime = path.join(assetDir('aggregator-runtime'), 'index.js');
  const wrapper = `${projectionName}-aggregator.js`;
  const contents = [
    `const { createHandler } = require(${JSON.stringify(runtime)});`,
    `exports.handler = createHandler(require(${JSON.stringify(absolute)}));`,
  ].join('\n');
  let output: esbuild.OutputFile[];
  try {
    output = esbuild.buildSync({
      stdin: { contents, resolveDir: path.dirname(absolute), sourcefile: wrapper, loader: 'js' },
      // Not written (write: false): the path only anchors the map's relative `sources`.
      outfile: path.join(process.cwd(), 'index.js'),
      write: false,
      sourcemap: 'linked',
      sourcesContent: false,
      ...LAMBDA_BUNDLE_OPTIONS,
      logLevel: 'silent',
    }).outputFiles;
  } catch (err) {
    const errors = (err as { errors?: Array<{ text: string; location?: { file: string; line: number } }> }).errors;
    const detail = errors?.map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text)).join('; ') ?? String(err);
    throw new Error(`Projection "${projectionName}": could not bundle entry ${entry}: ${detail}`);
  }
  const files: Record<string, string> = {};
  for (const file of output) files[path.basename(file.path)] = file.text;
  const notTheUsers = new Set([runtime, path.join(path.dirname(absolute), wrapper)]);
  files['index.js.map'] = dropSources(files['index.js.map'], (source) => notTheUsers.has(path.resolve(source)));
  const hash = createHash('sha256');
  for (const name of Object.keys(files).sort()) hash.update(name).update('\0').update(files[name]).update('\0');
  const bundle = { files, hash: hash.digest('hex') };
  bundles.set(key, bundle);
  return bundle;
}
