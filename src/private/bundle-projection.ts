import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild-wasm';
import { assetDir } from './assets';
import { LAMBDA_BUNDLE_OPTIONS } from './lambda-bundle-options';

/** Bundles reused within one synth, keyed by entry file and its modification. */
const bundles = new Map<string, string>();

/**
 * Bundles a user's projection entry with the aggregator runtime into one minified file and
 * returns its folder. esbuild-wasm ships inside this package, so TypeScript, Python and Java apps
 * need no bundler of their own. The AWS SDK v3 is left to the Lambda runtime.
 */
export function bundleProjection(projectionName: string, entry: string): string {
  const absolute = path.resolve(entry);
  const stat = fs.statSync(absolute);
  const key = `${absolute}:${stat.mtimeMs}:${stat.size}`;
  const cached = bundles.get(key);
  if (cached && fs.existsSync(path.join(cached, 'index.js'))) return cached;

  const runtime = path.join(assetDir('aggregator-runtime'), 'index.js');
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'es-api-projection-'));
  const contents = [
    `const { createHandler } = require(${JSON.stringify(runtime)});`,
    `exports.handler = createHandler(require(${JSON.stringify(absolute)}));`,
  ].join('\n');
  try {
    esbuild.buildSync({
      stdin: { contents, resolveDir: path.dirname(absolute), sourcefile: `${projectionName}-aggregator.js`, loader: 'js' },
      outfile: path.join(outdir, 'index.js'),
      ...LAMBDA_BUNDLE_OPTIONS,
      logLevel: 'silent',
    });
  } catch (err) {
    const errors = (err as { errors?: Array<{ text: string; location?: { file: string; line: number } }> }).errors;
    const detail = errors?.map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text)).join('; ') ?? String(err);
    throw new Error(`Projection "${projectionName}": could not bundle entry ${entry}: ${detail}`);
  }
  bundles.set(key, outdir);
  return outdir;
}
