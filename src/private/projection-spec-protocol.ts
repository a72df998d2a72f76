/**
 * What the projection spec child process (lambda-src/testing/index.ts, run by
 * `ProjectionSpecs.verify`) answers: one stdout line, SPEC_RESULT_PREFIX + JSON of a
 * SpecFileResult. A prefix, because a projection's own console output shares stdout.
 */
export const SPEC_RESULT_PREFIX = 'PROJECTION-SPEC-RESULT:';
