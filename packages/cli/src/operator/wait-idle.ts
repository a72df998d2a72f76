/**
 * `wait-idle --local <operatorUrl>`: waits until a local runtime has published every appended
 * event and every view has applied it (or parked it), for integration tests in any language.
 * Local only: on AWS nothing can tell an event still in the DynamoDB stream from one applied, short
 * of a full scan whose catalogue (a global secondary index) is itself eventually consistent.
 */

/** What the local runtime's `GET /idle` answers (see LocalRuntime.answerIdle). */
interface IdleAnswer {
  readonly idle: boolean;
  readonly pending?: string;
  readonly parked?: Array<{ api: string; where: string; messages: number }>;
}

/** Longest wait asked of the runtime in one request: below fetch's own 300 s limit on a response's headers. */
const REQUEST_WAIT_MS = 60_000;

/** Resolves with the line to print once idle; rejects with what is pending after `timeoutMs`. */
export async function waitIdle(operatorUrl: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const base = operatorUrl.replace(/\/+$/, '');
  for (;;) {
    const wait = Math.max(0, Math.min(REQUEST_WAIT_MS, deadline - Date.now()));
    const answer = await ask(`${base}/idle?timeoutMs=${wait}`, operatorUrl);
    if (answer.idle) return idleLine(answer);
    if (Date.now() >= deadline) throw new Error(`Not idle after ${formatSeconds(timeoutMs)}: ${(answer.pending ?? '').replace(/^Not idle after \d+ ms: /, '')}`);
  }
}

async function ask(url: string, operatorUrl: string): Promise<IdleAnswer> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code === 'UND_ERR_SOCKET') throw new Error(`The local runtime at ${operatorUrl} stopped while wait-idle was waiting`);
    throw new Error(`Cannot reach the local runtime's operator endpoint ${operatorUrl}: ${cause?.code ?? cause?.message ?? String((err as Error).message ?? err)}`);
  }
  const body = await response.json().catch(() => undefined) as IdleAnswer | undefined;
  if (typeof body?.idle !== 'boolean') {
    throw new Error(`The local runtime at ${operatorUrl} does not answer wait-idle: start it with this version of cdk-event-sourced-api-cli`);
  }
  return body;
}

function idleLine(answer: IdleAnswer): string {
  const parked = answer.parked ?? [];
  const idle = 'Idle: every appended event is published and applied by every view';
  if (parked.length === 0) return idle;
  return `${idle}, or parked: ${parked.map((p) => `${p.where} ${p.messages}`).join(', ')} (status shows them)`;
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
