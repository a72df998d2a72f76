/**
 * Calls `onOrphaned` once the process that started this one is gone. Killing `npx` by its PID
 * does not signal its child: the child is re-parented (its ppid changes) and would run on, with
 * DynamoDB Local's Java under it. Checked every `intervalMs`; the timer does not keep the process
 * alive. Returns a function that stops watching.
 */
export function watchParent(onOrphaned: () => void, intervalMs = 1000, currentParent: () => number = () => process.ppid): () => void {
  const parent = currentParent();
  const timer = setInterval(() => {
    if (currentParent() === parent) return;
    clearInterval(timer);
    onOrphaned();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
