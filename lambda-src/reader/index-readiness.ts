import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { queryable, readIndexState, type IndexState } from '../core/index-state';
import { indexDefinition, type IndexSpec } from '../core/view-indexes';

/** How the gate reads a table's `$indexes` item (tests may count or slow the reads). */
export type IndexStateReader = (client: DynamoDBClient, table: string) => Promise<IndexState | undefined>;

/** A not-ready answer is read again after this long; a ready one is kept. */
export const INDEX_RECHECK_MS = 5000;

/**
 * Whether an index of a view table may be queried, from the table's own `$indexes` item: its
 * definition is the one declared, its global secondary index is ACTIVE and every record carries
 * its key attributes. Never from DynamoDB's answers: DynamoDB Local answers a Query on an index
 * still being created, and a new index is empty until its records are restamped.
 *
 * An index, once ready, stays ready for that definition (a changed definition is another key of
 * the cache), so a warm reader pays for the check once per table and index.
 */
export class IndexReadiness {
  private readonly known = new Map<string, { readonly ready: boolean; readonly at: number }>();

  constructor(private readonly read: IndexStateReader = readIndexState, private readonly recheckMs = INDEX_RECHECK_MS) {}

  public async ready(client: DynamoDBClient, table: string, spec: IndexSpec): Promise<boolean> {
    const key = `${table}\u0000${indexDefinition(spec)}`;
    const known = this.known.get(key);
    if (known && (known.ready || Date.now() - known.at < this.recheckMs)) return known.ready;
    const ready = queryable(await this.read(client, table), spec);
    this.known.set(key, { ready, at: Date.now() });
    return ready;
  }

  /** Forgets what was found (tests start afresh). */
  public forget(): void {
    this.known.clear();
  }
}
