/**
 * Builds the CLI package (packages/cli): its bin (lib/cli.js) and its test harness (lib/index.js),
 * each one esbuild bundle. The code it shares with the library (src/contract.ts, and the operator
 * commands' use of lambda-src's maintenance and core modules) is bundled in from source, so the
 * CLI needs the library at run time for nothing; what the package declares as dependencies stays
 * outside the bundle, resolved from its node_modules. Prints each bundle's size.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

const cliRoot = path.join(__dirname, '..', 'packages', 'cli');
const manifest = JSON.parse(fs.readFileSync(path.join(cliRoot, 'package.json'), 'utf8')) as {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};
const external = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})];

for (const name of ['cli', 'index']) {
  const outfile = path.join(cliRoot, 'lib', `${name}.js`);
  buildSync({
    entryPoints: [path.join(cliRoot, 'src', `${name}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    // The CLI runs on the user's Node: the oldest the README says is tested.
    target: 'node20',
    format: 'cjs',
    external,
    // Readable stack traces from a developer tool; the package is installed once per app.
    minify: false,
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const bytes = fs.statSync(outfile).size;
  console.log(`packages/cli/lib/${name}.js  ${(bytes / 1024).toFixed(1)} KiB`);
}
