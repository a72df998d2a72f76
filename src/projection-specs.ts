import { spawnSync } from 'node:child_process';
import type { EventTypeVersions } from './event-type-versions';
import { SPEC_RESULT_PREFIX } from './private/projection-spec-protocol';
import { testKitFile } from './testing/kit';
import type { SpecFileOverrides, SpecFileResult } from './testing/types';
import type { ViewIndex } from './view-index';

/** The API's settings a projection runs with, as the construct's props give them. */
export interface ProjectionSpecsOptions {
  /**
   * The API's `streamIdField`: the field GET adds with the stream id.
   * @default - the spec file's `streamIdField`, or 'id'
   */
  readonly streamIdField?: string;
  /**
   * The API's `eventVersions`, for events of older schema versions.
   * @default - the spec file's `eventVersions`, or every type at version 1
   */
  readonly eventVersions?: EventTypeVersions[];
  /**
   * Path of the API's upcasters module (TypeScript or JavaScript).
   * @default - the spec file's `upcasters`, or none
   */
  readonly upcasters?: string;
  /**
   * The view's `indexes`: a record whose key field has another type than its index declares
   * fails its event, as in Lambda.
   * @default - the spec file's `indexes`, or none
   */
  readonly indexes?: ViewIndex[];
  /**
   * The stream of events that name none.
   * @default - the spec file's `streamId`, or 'stream-1'
   */
  readonly streamId?: string;
  /**
   * How long the spec file may run, in seconds.
   * @default 120
   */
  readonly timeoutSeconds?: number;
}

/** One case of a spec file, as a test asserts on it. */
export interface ProjectionSpecCaseResult {
  /** The case's `name` (`(spec file)` for a file that could not run at all). */
  readonly name: string;
  readonly passed: boolean;
  /**
   * Why it failed: the expected and actual records as a diff, and the event that produced them;
   * or the error of the event that failed.
   * @default - none (it passed)
   */
  readonly message?: string;
  readonly durationMs: number;
}

/** A spec file's results. */
export interface ProjectionSpecResult {
  readonly specFile: string;
  /** True when every case passed. */
  readonly passed: boolean;
  readonly cases: ProjectionSpecCaseResult[];
  /** The cases that failed. */
  readonly failures: ProjectionSpecCaseResult[];
  /** One line per case, each failure followed by its message: what to print when the test fails. */
  readonly summary: string;
}

/**
 * Runs a projection's spec file (JSON or YAML: given events, the events under test, the expected
 * record) through the aggregator's own apply code, with no AWS and no local runtime: how Python
 * and Java tests check the JavaScript or TypeScript projections of their app.
 *
 * ```python
 * result = ProjectionSpecs.verify("projections/summary.ts", "projections/summary.spec.yaml")
 * assert result.passed, result.summary
 * ```
 */
export class ProjectionSpecs {
  /**
   * Runs every case of `specFile` against the projection module `entry` (paths relative to the
   * working directory), in a child Node process: a jsii call is synchronous, and handlers may be
   * async. Never throws for a failing case or a bad spec file: those are failed results.
   */
  public static verify(entry: string, specFile: string, options: ProjectionSpecsOptions = {}): ProjectionSpecResult {
    const { timeoutSeconds = 120, ...settings } = options;
    const overrides: SpecFileOverrides = { projection: entry, ...settings };
    const child = spawnSync(process.execPath, [testKitFile()], {
      input: JSON.stringify({ specFile, overrides }),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      timeout: timeoutSeconds * 1000,
    });
    const line = (child.stdout ?? '').split('\n').reverse().find((l) => l.startsWith(SPEC_RESULT_PREFIX));
    if (line === undefined) {
      const why = child.error ? child.error.message : `it exited with ${child.status ?? child.signal}`;
      return resultOf({
        file: specFile,
        passed: false,
        cases: [{ name: '(spec file)', passed: false, message: `The spec did not finish (${why}): ${(child.stderr ?? '').trim().slice(-2000)}`, durationMs: 0 }],
      });
    }
    return resultOf(JSON.parse(line.slice(SPEC_RESULT_PREFIX.length)) as SpecFileResult);
  }

  private constructor() {}
}

function resultOf(result: SpecFileResult): ProjectionSpecResult {
  const cases = result.cases.map((c) => ({ ...c }));
  const failures = cases.filter((c) => !c.passed);
  const lines = cases.flatMap((c) => [
    `${c.passed ? 'PASS' : 'FAIL'} ${result.file} > ${c.name}`,
    ...(c.message === undefined ? [] : c.message.split('\n').map((l) => `    ${l}`)),
  ]);
  lines.push(`${cases.length - failures.length} passed, ${failures.length} failed`);
  return { specFile: result.file, passed: result.passed, cases, failures, summary: lines.join('\n') };
}
