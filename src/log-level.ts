/**
 * How much the library's functions log. Each line is one JSON object; a line that carries a
 * metric (CloudWatch embedded metric format) is written at every level, so no level loses metrics.
 */
export enum LogLevel {
  /** Also each request read, each batch and each duplicate skipped, with durations. */
  DEBUG = 'DEBUG',
  /** Each append, each event published and applied, each maintenance step. */
  INFO = 'INFO',
  /** Only what needs a look: throttling, concurrent view changes, failed publishes, and errors. */
  WARN = 'WARN',
  /** Only failures: handler errors, unreadable messages, unhandled errors. */
  ERROR = 'ERROR',
}
