/**
 * The projection test kit for TypeScript and JavaScript, published as `cdk-event-sourced-api/testing`:
 *
 *   import { projectionSpec } from 'cdk-event-sourced-api/testing';
 *   const spec = projectionSpec('projections/summary.ts');
 *   await spec.given({ type: 'CustomerRegistered', data: { name: 'Ada' } })
 *     .when({ type: 'OrderPlaced', data: { amountCents: 1999 } })
 *     .then({ orders: 1, totalCents: 1999 });
 *
 * No DynamoDB, network or test framework: it runs the projection through the aggregator's own
 * apply code, in this process, and works in jest, vitest and node's test runner.
 */
import { testKit } from './kit';
import type { ProjectionSpec, ProjectionSpecOptions, SpecFileOverrides, SpecFileResult } from './types';

export * from './types';

/**
 * A projection under test: the path of its module (TypeScript or JavaScript, bundled with the
 * esbuild the construct ships, relative to the working directory) or the imported module.
 */
export function projectionSpec(projection: string | object, options?: ProjectionSpecOptions): ProjectionSpec {
  return testKit().projectionSpec(projection, options);
}

/** Runs a spec file's cases (JSON or YAML); resolves with each case's result, never rejects. */
export function runSpecFile(file: string, overrides?: SpecFileOverrides): Promise<SpecFileResult> {
  return testKit().runSpecFile(file, overrides);
}
