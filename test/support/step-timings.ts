/** How long a test file's slow steps took, printed once at its end (figures, never assertions). */
export class StepTimings {
  private readonly lines: string[] = [];

  /** Runs `fn` and records its time under `label`. */
  public timed<T>(label: string, fn: () => T): T {
    const start = Date.now();
    try {
      return fn();
    } finally {
      this.record(label, Date.now() - start);
    }
  }

  public record(label: string, ms: number): void {
    this.lines.push(`${label}: ${(ms / 1000).toFixed(1)} s`);
  }

  /** Prints what was recorded, under `title`. */
  public print(title: string): void {
    if (this.lines.length) console.log(`${title}:\n  ${this.lines.join('\n  ')}`);
  }
}
