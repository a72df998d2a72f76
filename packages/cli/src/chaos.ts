/** Chaos mode's settings: `chaos: true`, or a seed to replay a run. */
export interface ChaosOptions {
  /** Seeds every choice chaos mode makes. @default - a random seed, printed at start */
  readonly seed?: number;
}

/**
 * How often each fault happens, per chance to happen. Low enough that an event's own retries
 * (maxReceiveCount, the stream's retry attempts) nearly always outlast the faults it meets, high
 * enough that every fault happens many times in a test run. Besides, every fault strikes at its
 * first chance in a run, so that a run meets each fault it gives a chance to.
 */
export const CHAOS_RATES = {
  /** Standard queue: a message is delivered twice (at-least-once). */
  duplicate: 0.1,
  /** A received message becomes visible again while still being processed (its visibility timeout ran out). */
  earlyRedelivery: 0.05,
  /** An invocation fails before it does anything (a crash at start, a throttled invoke). */
  crashBeforeWork: 0.02,
  /** An invocation crashes part-way: the first records of its batch are done, then it dies; the whole batch is retried. */
  crashMidBatch: 0.03,
  /** An invocation does all its work, then crashes before it answers: its batch counts as failed. */
  crashAfterWork: 0.03,
  /** An invocation runs past its timeout: Lambda stops it wherever it was (calls it had sent may still land) and fails its batch. */
  timeout: 0.02,
  /** A burst of DynamoDB calls is throttled, sometimes longer than the SDK's own retries last. */
  dynamoThrottle: 0.03,
  /** An SNS request is throttled (before the SDK's own retries). */
  snsThrottle: 0.05,
  /** Some entries of an SNS PublishBatch fail (InternalError), the rest are published. */
  snsEntryFailure: 0.05,
  /**
   * A write reaches a view's indexes seconds after its table, not the usual fraction of a second
   * ("longer propagation delays might occur":
   * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.Writes).
   */
  indexLagSpike: 0.05,
} as const;

export type ChaosFault = keyof typeof CHAOS_RATES;

/** The Park-Miller generator's modulus: 2^31 - 1. */
const MODULUS = 2147483647;

/** What every component of one run shares: its tallies. */
interface Tally {
  readonly strikes: Map<ChaosFault, number>;
  readonly chances: Map<ChaosFault, number>;
}

/**
 * The seeded source of chaos mode's choices (Park-Miller "minimal standard" generator: plenty for
 * picking faults, and no dependency). Each component (a queue, a poller, the SNS endpoint) draws
 * from its own generator, `for(name)`, derived from the seed and its name: a replay gives each
 * component the same sequence of choices whatever the others do. How many choices a component
 * makes, and how concurrent work interleaves, still depend on timing, so a replay meets the same
 * faults at the same places of each component's sequence, not always the same totals.
 */
export class Chaos {
  public readonly seed: number;
  private state: number;
  private readonly tally: Tally;

  constructor(options: ChaosOptions = {}, tally?: Tally, stream?: string) {
    this.seed = options.seed ?? Math.floor(Math.random() * (MODULUS - 1)) + 1;
    this.tally = tally ?? { strikes: new Map(), chances: new Map() };
    this.state = (Math.abs(Math.floor(this.seed) + (stream === undefined ? 0 : hash(stream))) % (MODULUS - 1)) + 1;
  }

  /** The generator of one component: the same seed and name give the same sequence. Tallies are shared. */
  public for(component: string): Chaos {
    return new Chaos({ seed: this.seed }, this.tally, component);
  }

  /** A number in [0, 1). */
  public next(): number {
    this.state = (this.state * 48271) % MODULUS;
    return (this.state - 1) / (MODULUS - 1);
  }

  /** Whether this fault happens now: at its first chance in the run, then at its rate. Counted. */
  public strikes(fault: ChaosFault): boolean {
    const { strikes, chances } = this.tally;
    chances.set(fault, (chances.get(fault) ?? 0) + 1);
    const draw = this.next(); // drawn either way, so a component's sequence does not depend on the others
    if (strikes.has(fault) && draw >= CHAOS_RATES[fault]) return false;
    strikes.set(fault, (strikes.get(fault) ?? 0) + 1);
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
    return this.tallyOf(this.tally.strikes);
  }

  /** How often each fault had a chance to strike so far. */
  public chances(): Record<ChaosFault, number> {
    return this.tallyOf(this.tally.chances);
  }

  private tallyOf(counts: Map<ChaosFault, number>): Record<ChaosFault, number> {
    return Object.fromEntries(Object.keys(CHAOS_RATES).map((f) => [f, counts.get(f as ChaosFault) ?? 0])) as Record<ChaosFault, number>;
  }
}

/** A component name's polynomial hash modulo 2^31 - 1, to derive its generator's state from the seed. */
function hash(text: string): number {
  let h = 7;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) % MODULUS;
  return h;
}
