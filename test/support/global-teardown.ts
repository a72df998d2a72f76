/** Jest globalTeardown: stops the DynamoDB Local that globalSetup started, and waits until it is gone. */
import type { ChildProcess } from 'node:child_process';
import { DYNAMO_GLOBAL_KEY } from './dynamo-process';

const STOP_TIMEOUT_MS = 5_000;

export default async function globalTeardown(): Promise<void> {
  const globals = globalThis as Record<string, unknown>;
  const proc = globals[DYNAMO_GLOBAL_KEY] as ChildProcess | undefined;
  delete globals[DYNAMO_GLOBAL_KEY];
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;

  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS); });
  const stubborn = await Promise.race([exited.then(() => false), timedOut]);
  clearTimeout(timer);
  if (stubborn) {
    proc.kill('SIGKILL');
    await exited;
  }
  proc.stdout?.destroy();
  proc.stderr?.destroy();
}
