import * as fs from 'node:fs';
import * as path from 'node:path';

/** Folder of a prebuilt Lambda bundle (assets/ at the package root, built by `bundle:lambdas`). */
export function assetDir(name: 'writer' | 'publisher' | 'reader' | 'maintenance' | 'aggregator-runtime' | 'event-schemas' | 'projection-check' | 'projection-spec'): string {
  // Same depth from src/private (ts-node, jest) and lib/private (published package).
  const dir = path.join(__dirname, '..', '..', 'assets', name);
  if (!fs.existsSync(path.join(dir, 'index.js'))) {
    throw new Error(`cdk-event-sourced-api: the bundled Lambda asset ${dir}/index.js is missing. ` +
      'In a checkout of the library, run `npx projen bundle:lambdas`; in an installed package, reinstall it.');
  }
  return dir;
}
