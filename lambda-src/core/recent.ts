/**
 * What a warm Lambda remembers between invocations, bounded by entries and by an estimate of
 * their size: the least recently written entries go first.
 */
export class Recent<V> {
  private readonly entries = new Map<string, { value: V; weight: number }>();
  private total = 0;

  constructor(private readonly maxEntries: number, private readonly maxWeight = Infinity) {}

  public get(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  /** Keeps the value; `weight` is its share of maxWeight (its size, say). */
  public set(key: string, value: V, weight = 0): void {
    this.delete(key);
    if (weight > this.maxWeight) return;
    this.entries.set(key, { value, weight });
    this.total += weight;
    while (this.entries.size > this.maxEntries || this.total > this.maxWeight) this.delete(this.entries.keys().next().value!);
  }

  public delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.total -= entry.weight;
  }
}
