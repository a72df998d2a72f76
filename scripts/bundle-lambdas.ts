/**
 * Bundles the library's own Lambda handlers into assets/, which ships in the npm package, so
 * consumers need no bundler for them. Minified CommonJS for Node 20+; the AWS SDK v3 is left to
 * the Lambda runtime. Prints each bundle's size.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { LAMBDA_BUNDLE_OPTIONS } from '../src/private/lambda-bundle-options';

const root = join(__dirname, '..');
const outRoot = join(root, 'assets');

/** asset folder -> entry in lambda-src */
export const BUNDLES: Record<string, string> = {
  'writer': 'lambda-src/writer/index.ts',
  'publisher': 'lambda-src/publisher/index.ts',
  'reader': 'lambda-src/reader/index.ts',
  'maintenance': 'lambda-src/maintenance/index.ts',
  // Not a handler: the library that wraps a user's projection, bundled with it at synth time.
  'aggregator-runtime': 'lambda-src/aggregator/index.ts',
  // Not a handler: the writer's schema compiler, which synth runs to check eventSchemas.
  'event-schemas': 'lambda-src/writer/event-schemas.ts',
  // Not a handler: synth runs it in a child process to check what a bundled projection exports.
  'projection-check': 'lambda-src/aggregator/check-entry.ts',
  // Not a handler: the projection test kit (cdk-event-sourced-api/testing, ProjectionSpecs).
  'projection-spec': 'lambda-src/testing/index.ts',
};

/** Packages a bundle leaves to the library's own node_modules: esbuild-wasm loads its .wasm file beside it. */
const EXTRA_EXTERNAL: Record<string, string[]> = { 'projection-spec': ['esbuild-wasm'] };
/**
 * Bundles that run in users' test runners, not in Lambda: readable, so the code frame a runner
 * prints beside a failed expectation is code, not one minified line.
 */
const READABLE = new Set(['projection-spec']);

rmSync(outRoot, { recursive: true, force: true });
for (const [name, entry] of Object.entries(BUNDLES)) {
  const outdir = join(outRoot, name);
  mkdirSync(outdir, { recursive: true });
  buildSync({
    entryPoints: [join(root, entry)],
    outfile: join(outdir, 'index.js'),
    ...LAMBDA_BUNDLE_OPTIONS,
    external: [...LAMBDA_BUNDLE_OPTIONS.external, ...(EXTRA_EXTERNAL[name] ?? [])],
    minify: !READABLE.has(name),
    logLevel: 'warning',
  });
  const bytes = statSync(join(outdir, 'index.js')).size;
  console.log(`assets/${name}/index.js  ${(bytes / 1024).toFixed(1)} KiB (${bytes} bytes${READABLE.has(name) ? '' : ', minified'})`);
}
