import type { Chaos } from './chaos';
import type { LocalFunction } from './function-host';

/**
 * Lambda's reading of a partial batch response (ReportBatchItemFailures), the same for SQS and
 * stream event sources:
 * - success: no response, an empty object, or batchItemFailures null or empty;
 * - complete failure: an object without batchItemFailures but with other keys, batchItemFailures
 *   that is not a list, or an entry whose itemIdentifier is missing, empty, not a string or names
 *   no record of the batch;
 * - otherwise the records named fail.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html and
 * services-ddb-batchfailurereporting.html; AWS-validated in LocalStack's
 * test_report_batch_item_failure_scenarios.
 */
export type BatchOutcome =
  | { readonly kind: 'success' }
  | { readonly kind: 'partial'; readonly failed: ReadonlySet<string> }
  | { readonly kind: 'failure'; readonly reason: string };

export function readBatchResponse(response: unknown, ids: readonly string[]): BatchOutcome {
  if (response === undefined || response === null) return { kind: 'success' };
  if (typeof response !== 'object' || Array.isArray(response)) return { kind: 'failure', reason: 'the response is not a batch response object' };
  const fields = response as Record<string, unknown>;
  if (!('batchItemFailures' in fields)) {
    return Object.keys(fields).length === 0 ? { kind: 'success' } : { kind: 'failure', reason: 'the response has no batchItemFailures' };
  }
  const failures = fields.batchItemFailures;
  if (failures === null || (Array.isArray(failures) && failures.length === 0)) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'failure', reason: 'batchItemFailures is not a list' };
  const known = new Set(ids);
  const failed = new Set<string>();
  for (const entry of failures) {
    const id = (entry as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !known.has(id)) {
      return { kind: 'failure', reason: `batchItemFailures names ${JSON.stringify(id) ?? 'nothing'}, which is no record of the batch` };
    }
    failed.add(id);
  }
  return { kind: 'partial', failed };
}

/**
 * One invocation with a batch, as an event source mapping makes it, and how Lambda reads its
 * answer, with the lines the function logged while it ran. `thrown`: the invocation itself failed (a function error, a crash, a timeout), as
 * opposed to an answer that fails records. Chaos mode's faults, each a failure of the whole batch
 * that Lambda retries:
 * - crashBeforeWork: nothing was done;
 * - crashMidBatch: the first records of the batch were done, then the function died;
 * - crashAfterWork: everything was done, but no answer reached Lambda;
 * - timeout: the invocation ran past its timeout and was stopped wherever it was (the environment
 *   is not reused; calls it had sent may still land).
 */
export async function invokeBatch(
  target: LocalFunction, event: { readonly Records: readonly unknown[] }, ids: readonly string[], chaos?: Chaos,
): Promise<{ readonly outcome: BatchOutcome; readonly thrown: boolean; readonly logs: readonly string[] }> {
  let logs: readonly string[] = [];
  try {
    if (chaos?.strikes('crashBeforeWork')) throw new Error('chaos: the invocation failed before the function did anything');
    const records = event.Records;
    if (records.length > 1 && chaos?.strikes('crashMidBatch')) {
      const done = chaos.int(1, records.length - 1);
      await target.invoke({ ...event, Records: records.slice(0, done) }).catch(() => undefined);
      throw new Error(`chaos: the function crashed after ${done} of the batch's ${records.length} records`);
    }
    // A timeout somewhere in the work: soon after the start, or a little later.
    const timeoutMs = chaos?.strikes('timeout') ? chaos.int(1, 40) : undefined;
    const invocation = await target.invokeWithLogs(event, { timeoutMs });
    logs = invocation.logs;
    const outcome = readBatchResponse(invocation.result, ids);
    // Its work is done, but no answer reaches Lambda: the whole batch is retried.
    if (chaos?.strikes('crashAfterWork')) throw new Error('chaos: the function crashed after its work, before it answered');
    return { outcome, thrown: false, logs };
  } catch (err) {
    return { outcome: { kind: 'failure', reason: String((err as Error).message) }, thrown: true, logs: (err as { logs?: string[] }).logs ?? logs };
  }
}
