import * as path from 'node:path';
import type { ProjectionSpec, ProjectionSpecOptions } from './types';
import { assetDir } from '../private/assets';

/** One case's result; `message` (the diff, or the error) when it failed. */
export interface SpecCaseResult {
  readonly name: string;
  readonly passed: boolean;
  readonly message?: string;
  readonly durationMs: number;
}

/** A spec file's results. A file that cannot run (bad YAML, no projection) has one failed case named `(spec file)`. */
export interface SpecFileResult {
  readonly file: string;
  readonly projection?: string;
  readonly passed: boolean;
  readonly cases: readonly SpecCaseResult[];
}

/** Settings that take precedence over a spec file's own. */
export interface SpecFileOverrides extends ProjectionSpecOptions {
  /** The projection: a module path or the imported module. @default the spec file's `projection`, or the module named like it beside it */
  readonly projection?: string | object;
}

/** What assets/projection-spec exports (lambda-src/testing/index.ts, bundled by `bundle:lambdas`). */
export interface TestKit {
  readonly RESULT_PREFIX: string;
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
