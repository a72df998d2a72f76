import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild-wasm';
import { assetDir } from './assets';
import { LAMBDA_BUNDLE_OPTIONS } from './lambda-bundle-options';

/** A projection bundled in memory: files by name, written into the cloud assembly by `generatedCode`. */
export interface ProjectionBundle {
  /** `index.js`, the handler. */
  readonly files: Readonly<Record<string, string>>;
  /** sha256 of the files: the asset's hash. */
  readonly hash: string;
}

/** Bundles reused within one synth, keyed by entry file and its modification. */
const bundles = new Map<string, ProjectionBundle>();

/**
 * Bundles a user's projection entry with the aggregator runtime into one minified file, in
 * memory (nothing is written outside the cloud assembly). esbuild-wasm ships inside this
 * package, so TypeScript, Python and Java apps need no bundler of their own. The AWS SDK v3 is
 * left to the Lambda runtime.
 */
export function bundleProjection(projectionName: string, entry: string): ProjectionBundle {
  const absolute = path.resolve(entry);
  const stat = fs.statSync(absolute);
  const key = `${absolute}:${stat.mtimeMs}:${stat.size}`;
  const cached = bundles.get(key);
  if (cached) return cached;

  const runtime = path.join(assetDir('aggregator-runtime'), 'index.js');
  const contents = [
    `const { createHandler } = require(${JSON.stringify(runtime)});`,
    `exports.handler = createHandler(require(${JSON.stringify(absolute)}));`,
  ].join('\n');
  let output: esbuild.OutputFile[];
  try {
    output = esbuild.buildSync({
      stdin: { contents, resolveDir: path.dirname(absolute), sourcefile: `${projectionName}-aggregator.js`, loader: 'js' },
      outfile: 'index.js',
      write: false,
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
  const hash = createHash('sha256');
  for (const name of Object.keys(files).sort()) hash.update(name).update('\0').update(files[name]).update('\0');
  const bundle = { files, hash: hash.digest('hex') };
  bundles.set(key, bundle);
  return bundle;
}
