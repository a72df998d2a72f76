/**
 * What the projection check (lambda-src/aggregator/check-entry.ts, run in a child process by
 * src/private/check-projection.ts) answers: one stdout line, RESULT_PREFIX + JSON of a CheckResult.
 * A prefix, because the user's code may print too.
 */
export const RESULT_PREFIX = 'cdk-event-sourced-api check: ';

export type CheckResult =
  | { readonly outcome: 'ok' }
  /** The aggregator would refuse the module; `finding` says what it exports. */
  | { readonly outcome: 'shape'; readonly finding: string }
  /** The module could not be loaded here; `reason` says why. */
  | { readonly outcome: 'unchecked'; readonly reason: string };
