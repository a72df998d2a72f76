import { DescribeTableCommand, type DynamoDBClient, type GlobalSecondaryIndexDescription, type TableDescription } from '@aws-sdk/client-dynamodb';
import type { GsiState } from '../core/index-state';
import { gsiName, keyAttribute, type IndexSpec } from '../core/view-indexes';

/**
 * A view table's global secondary indexes as DescribeTable shows them, read for the indexes the
 * library manages (named `ix_<index>`; any other GSI is left alone).
 */
export class TableIndexes {
  public static async describe(dynamo: DynamoDBClient, table: string): Promise<TableIndexes> {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: table }));
    if (!Table) throw new Error(`DescribeTable answered no description of ${table}`);
    return new TableIndexes(Table);
  }

  private constructor(private readonly table: TableDescription) {}

  /** The managed indexes the table has, by GSI name. */
  public get managed(): GlobalSecondaryIndexDescription[] {
    return (this.table.GlobalSecondaryIndexes ?? []).filter((g) => g.IndexName?.startsWith(gsiName('')));
  }

  /**
   * Whether an UpdateTable of its indexes must wait: the table is not ACTIVE, or an index (any) is
   * being created, deleted or updated. DynamoDB takes one index change at a time
   * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html).
   */
  public get busy(): boolean {
    return this.table.TableStatus !== 'ACTIVE' || (this.table.GlobalSecondaryIndexes ?? []).some((g) => g.IndexStatus !== 'ACTIVE');
  }

  /**
   * The state of a declared index's GSI (UPDATING is a change of throughput: still queryable). One
   * with other key types is to be deleted (a deploy refuses that; only an interrupted one leaves it).
   */
  public stateOf(spec: IndexSpec): GsiState {
    const gsi = this.find(spec.name);
    if (gsi && this.keyTypeChange(spec)) return 'DELETING';
    switch (gsi?.IndexStatus) {
      case undefined: return 'ABSENT';
      case 'CREATING': return 'CREATING';
      case 'DELETING': return 'DELETING';
      default: return 'ACTIVE';
    }
  }

  /**
   * The key types of the table's GSI for this index ("S", or "S,N" with a sort key), and the ones
   * the declaration asks for; undefined when the GSI is absent or has the declared ones.
   */
  public keyTypeChange(spec: IndexSpec): { readonly from: string; readonly to: string } | undefined {
    const gsi = this.find(spec.name);
    if (!gsi) return undefined;
    const typeOf = (attribute: string) => this.table.AttributeDefinitions?.find((a) => a.AttributeName === attribute)?.AttributeType ?? '?';
    const key = (role: 'HASH' | 'RANGE') => gsi.KeySchema?.find((k) => k.KeyType === role)?.AttributeName;
    const has = [key('HASH'), key('RANGE')].filter((a): a is string => a !== undefined);
    const wants = [keyAttribute(spec.name, 'pk'), ...(spec.sortKey ? [keyAttribute(spec.name, 'sk')] : [])];
    const from = has.map(typeOf).join(',');
    const to = [spec.partitionKey.type, ...(spec.sortKey ? [spec.sortKey.type] : [])].join(',');
    const sameKeys = has.length === wants.length && has.every((a, i) => a === wants[i]);
    return sameKeys && from === to ? undefined : { from, to };
  }

  private find(index: string): GlobalSecondaryIndexDescription | undefined {
    return this.table.GlobalSecondaryIndexes?.find((g) => g.IndexName === gsiName(index));
  }
}
