/**
 * Not a handler: the projection test kit, bundled into assets/projection-spec and loaded by the
 * library's `cdk-event-sourced-api/testing` entry point and `ProjectionSpecs` (src/testing), and
 * bundled into the CLI's `test` command. It runs projections through the aggregator's own code.
 *
 * Run as a script, it is the child process of `ProjectionSpecs.verify`: a request on stdin, the
 * result on stdout after SPEC_RESULT_PREFIX (a jsii call is synchronous; handlers may be async).
 */
import { specOf } from './projection-spec';
import { specContext } from './spec-context';
import { runSpecFile, type SpecFileOverrides } from './spec-run';
import { SPEC_RESULT_PREFIX } from '../../src/private/projection-spec-protocol';
import type { ProjectionSpec, ProjectionSpecOptions } from '../../src/testing/types';

export { SpecFailure } from './projection-spec';
export { SpecUsageError } from './spec-events';
export { runSpecFile, type SpecFileResult, type SpecCaseResult, type SpecFileOverrides } from './spec-run';
export { junitXml } from './junit';
export { SPEC_FILE } from './spec-file';

/** A projection under test: a module path (TypeScript or JavaScript, bundled as synth does) or the imported module. */
export function projectionSpec(projection: string | object, options?: ProjectionSpecOptions): ProjectionSpec {
  return specOf(specContext(projection, options));
}


if (require.main === module) {
  const chunks: Buffer[] = [];
  process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
  process.stdin.on('end', () => {
    const request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { specFile: string; overrides: SpecFileOverrides };
    void runSpecFile(request.specFile, request.overrides).then((result) => {
      process.stdout.write(`\n${SPEC_RESULT_PREFIX}${JSON.stringify(result)}\n`, () => process.exit(0));
    });
  });
}
