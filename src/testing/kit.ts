import * as path from 'node:path';
import type { ProjectionSpec, ProjectionSpecOptions, SpecFileOverrides, SpecFileResult } from './types';
import { assetDir } from '../private/assets';

/** What assets/projection-spec exports (lambda-src/testing/index.ts, bundled by `bundle:lambdas`). */
export interface TestKit {
  projectionSpec(projection: string | object, options?: ProjectionSpecOptions): ProjectionSpec;
  runSpecFile(file: string, overrides?: SpecFileOverrides): Promise<SpecFileResult>;
  junitXml(results: readonly SpecFileResult[]): string;
}

/** The kit's file, for a child process to run. */
export function testKitFile(): string {
  return path.join(assetDir('projection-spec'), 'index.js');
}

/**
 * The kit, which runs projections through the aggregator's own code (lambda-src). It is loaded
 * from the bundle the library ships: the jsii library cannot import lambda-src.
 */
export function testKit(): TestKit {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(testKitFile()) as TestKit;
}
