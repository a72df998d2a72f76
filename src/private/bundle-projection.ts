import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild-wasm';
import { assetDir } from './assets';
import { LAMBDA_BUNDLE_OPTIONS } from './lambda-bundle-options';
import { dropSources } from './source-map';
import { EVOLUTION_FILES, type EventVersionTable } from '../contract';

/** A projection bundled in memory: files by name, written into the cloud assembly by `generatedCode`. */
export interface ProjectionBundle {
  /** `index.js` (the handler, ending in a `sourceMappingURL` comment) and `index.js.map`. */
  readonly files: Readonly<Record<string, string>>;
  /** sha256 of the files: the asset's hash. */
  readonly hash: string;
}

/** Bundles reused within one synth, keyed by their wrapper and the modification of the files it requires. */
const bundles = new Map<string, ProjectionBundle>();

/** What the construct bundles with each projection: the API's event versions and upcasters module. */
export interface EvolutionBundleInput {
  readonly versions: EventVersionTable;
  /** Path of the upcasters module. @default none */
  readonly upcasters?: string;
}

/**
 * Bundles a user's projection entry with the aggregator runtime (and the API's upcasters, if it
 * has any) into one minified file with a linked source map, in memory (nothing is written outside
 * the cloud assembly). esbuild-wasm ships inside this package, so TypeScript, Python and Java apps
 * need no bundler of their own. The AWS SDK v3 is left to the Lambda runtime.
 *
 * The map's `sources` are relative to the working directory of synth (the app's folder, such as
 * `projections/summary.ts`), so they read the same on every machine and keep the asset's hash
 * stable. It maps the user's files only (the aggregator runtime is minified code of the
 * library's, the wrapper a line of this function's) and has no `sourcesContent`: a stack trace
 * needs positions, not text, and this keeps the map a small fraction of the code.
 */
export function bundleProjection(projectionName: string, entry: string, evolution?: EvolutionBundleInput): ProjectionBundle {
  const runtime = path.join(assetDir('aggregator-runtime'), 'index.js');
  const evolutionArg = evolution === undefined ? '' : `, undefined, { versions: ${JSON.stringify(evolution.versions)}` +
    (evolution.upcasters === undefined ? ' }' : `, upcasters: require(${JSON.stringify(path.resolve(evolution.upcasters))}) }`);
  const contents = [
    `const { createHandler } = require(${JSON.stringify(runtime)});`,
    `exports.handler = createHandler(require(${JSON.stringify(path.resolve(entry))})${evolutionArg});`,
  ].join('\n');
  const inputs = [entry, ...(evolution?.upcasters === undefined ? [] : [evolution.upcasters])];
  return bundleCode(`Projection "${projectionName}": could not bundle entry ${entry}`, entry, `${projectionName}-aggregator.js`, contents, inputs, [runtime]);
}

/** The upcasters module alone, as `upcasters.js` exporting what the module exports (the reader loads it beside its code). */
export function bundleUpcasters(entry: string): ProjectionBundle {
  const contents = `module.exports = require(${JSON.stringify(path.resolve(entry))});`;
  const bundle = bundleCode(`upcasters: could not bundle ${entry}`, entry, 'upcasters-module.js', contents, [entry], []);
  return {
    files: {
      [EVOLUTION_FILES.upcasters]: bundle.files['index.js'].replace(/sourceMappingURL=index\.js\.map/, `sourceMappingURL=${EVOLUTION_FILES.upcasters}.map`),
      [`${EVOLUTION_FILES.upcasters}.map`]: bundle.files['index.js.map'],
    },
    hash: bundle.hash,
  };
}

/**
 * The upcasters module with the aggregator runtime's `loadUpcasting`, called on load with the
 * declared versions: what synth's entry check loads (src/private/check-projection.ts) to find a
 * missing or useless upcaster before anything deploys.
 */
export function bundleUpcastersCheck(entry: string, versions: EventVersionTable): ProjectionBundle {
  const runtime = path.join(assetDir('aggregator-runtime'), 'index.js');
  const contents = [
    `const { loadUpcasting } = require(${JSON.stringify(runtime)});`,
    `loadUpcasting(require(${JSON.stringify(path.resolve(entry))}), ${JSON.stringify(versions)});`,
  ].join('\n');
  return bundleCode(`upcasters: could not bundle ${entry}`, entry, 'upcasters-check.js', contents, [entry], [runtime]);
}

function bundleCode(failure: string, anchor: string, wrapper: string, contents: string, inputs: string[], libraryFiles: string[]): ProjectionBundle {
  const absolute = path.resolve(anchor);
  const key = [contents, ...inputs.map((input) => {
    const stat = fs.statSync(path.resolve(input));
    return `${path.resolve(input)}:${stat.mtimeMs}:${stat.size}`;
  })].join('\n');
  const cached = bundles.get(key);
  if (cached) return cached;

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
    throw new Error(`${failure}: ${detail}`);
  }
  const files: Record<string, string> = {};
  for (const file of output) files[path.basename(file.path)] = file.text;
  const notTheUsers = new Set([...libraryFiles, path.join(path.dirname(absolute), wrapper)]);
  files['index.js.map'] = dropSources(files['index.js.map'], (source) => notTheUsers.has(path.resolve(source)));
  const hash = createHash('sha256');
  for (const name of Object.keys(files).sort()) hash.update(name).update('\0').update(files[name]).update('\0');
  const bundle = { files, hash: hash.digest('hex') };
  bundles.set(key, bundle);
  return bundle;
}
