/**
 * Sizes of each example projection's aggregator bundle as synth makes it (bundled with the
 * aggregator runtime, minified), with its source map (the user's files only, no sourcesContent).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { bundleProjection } from '../../src/private/bundle-projection';

export interface ProjectionBundleFigure {
  readonly projection: string;
  readonly codeBytes: number;
  readonly mapBytes: number;
  /** Both files gzipped, as an estimate of what they add to the deployed zip. */
  readonly codeGzipBytes: number;
  readonly mapGzipBytes: number;
}

const PROJECTIONS = path.join(__dirname, '..', '..', 'examples', 'typescript', 'projections');

export function measureProjectionBundles(): ProjectionBundleFigure[] {
  return fs.readdirSync(PROJECTIONS).filter((f) => f.endsWith('.ts')).sort().map((file) => {
    const { files } = bundleProjection(path.basename(file, '.ts'), path.join(PROJECTIONS, file));
    const [code, map] = [files['index.js'], files['index.js.map']];
    return {
      projection: file,
      codeBytes: Buffer.byteLength(code),
      mapBytes: Buffer.byteLength(map),
      codeGzipBytes: gzipSync(code).length,
      mapGzipBytes: gzipSync(map).length,
    };
  });
}
