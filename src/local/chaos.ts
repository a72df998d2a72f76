/** Chaos mode's settings: `chaos: true`, or a seed to replay a run. */
export interface ChaosOptions {
  /** Seeds every choice chaos mode makes. @default - a random seed, printed at start */
  readonly seed?: number;
}

/**
 * How often each fault happens, per chance to happen. Low enough that an event's own retries
 * (maxReceiveCount, the stream's retry attempts) nearly always outlast the faults it meets, high
 * enough that every fault happens many times in a test run.
 */
export const CHAOS_RATES = {
  /** Standard queue: a message is delivered twice (at-least-once). */
  duplicate: 0.1,
  /** A received message becomes visible again while still being processed (its visibility timeout ran out). */
  earlyRedelivery: 0.05,
  /** An invocation does its work, then crashes or times out before it answers: its batch counts as failed. */
  crashAfterWork: 0.04,
  /** An invocation fails before it does anything (a crash at start, a throttled invoke). */
  crashBeforeWork: 0.02,
  /** A DynamoDB call is throttled (before the SDK's own retries). */
  dynamoThrottle: 0.05,
  /** An SNS request is throttled (before the SDK's own retries). */
  snsThrottle: 0.05,
  /** Some entries of an SNS PublishBatch fail (InternalError), the rest are published. */
  snsEntryFailure: 0.05,
} as const;

export type ChaosFault = keyof typeof CHAOS_RATES;

/** The Park-Miller generator's modulus: 2^31 - 1. */
const MODULUS = 2147483647;

/**
 * The seeded source of chaos mode's choices (Park-Miller "minimal standard" generator: plenty for
 * picking faults, and no dependency). The seed replays the same sequence of choices; the
 * interleaving of concurrent work still depends on timing, so a replay reproduces the faults, not
 * always their exact order.
 */
export class Chaos {
  public readonly seed: number;
  private state: number;
  private readonly counts = new Map<ChaosFault, number>();

  constructor(options: ChaosOptions = {}) {
    this.seed = options.seed ?? Math.floor(Math.random() * (MODULUS - 1)) + 1;
    this.state = (Math.abs(Math.floor(this.seed)) % (MODULUS - 1)) + 1;
  }

  /** A number in [0, 1). */
  public next(): number {
    this.state = (this.state * 48271) % MODULUS;
    return (this.state - 1) / (MODULUS - 1);
  }

  /** Whether this fault happens now; counted when it does. */
  public strikes(fault: ChaosFault): boolean {
    if (this.next() >= CHAOS_RATES[fault]) return false;
    this.counts.set(fault, (this.counts.get(fault) ?? 0) + 1);
    return true;
  }

  /** A whole number in [min, max]. */
  public int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A shuffled copy. */
  public shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy;
  }

  /** How often each fault struck so far. */
  public report(): Record<ChaosFault, number> {
    return Object.fromEntries(Object.keys(CHAOS_RATES).map((f) => [f, this.counts.get(f as ChaosFault) ?? 0])) as Record<ChaosFault, number>;
  }
}
