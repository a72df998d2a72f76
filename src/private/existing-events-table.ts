import { Annotations, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { CATALOGUE, KEYS } from '../contract';

/** What an existing events table must have, as the publisher, the writer and the maintenance function use it. */
export const EVENTS_TABLE_REQUIREMENTS =
  `partition key "${KEYS.streamId}" (string) and sort key "${KEYS.version}" (number); a stream with NEW_IMAGE (or NEW_AND_OLD_IMAGES), ` +
  `imported with its stream ARN (tableStreamArn, table_stream_arn in Python); and a global secondary index "${CATALOGUE.indexName}" with ` +
  `partition key "${CATALOGUE.shardAttribute}" (number) and sort key "${KEYS.streamId}" (string), any projection (KEYS_ONLY is enough)`;

/** The parts of a table's CloudFormation resource that the checks read, resolved. */
interface TableDescription {
  readonly keySchema: Array<{ attributeName: string; keyType: string }>;
  readonly attributeDefinitions: Array<{ attributeName: string; attributeType: string }>;
  readonly streamViewType?: string;
  readonly globalSecondaryIndexes: Array<{ indexName: string; keySchema: Array<{ attributeName: string; keyType: string }> }>;
}

/**
 * Checks an existing events table at synth: a Table or TableV2 of the app by its resource (key
 * schema, stream view type, the `streams` index), each problem with what to change, when the app
 * is synthesized (so an index the app adds after the API is seen too); an imported table, which
 * synth cannot see, gets a warning that lists what it must have.
 */
export function checkExistingEventsTable(scope: Construct, table: dynamodb.ITable): void {
  if (!describe(table)) {
    Annotations.of(scope).addWarningV2('cdk-event-sourced-api:existing-events-table-unchecked',
      `existingEventsTable is imported, so synth cannot check it. It must have: ${EVENTS_TABLE_REQUIREMENTS}.`);
    return;
  }
  scope.node.addValidation({ validate: () => tableProblems(describe(table)!) });
}

function tableProblems(description: TableDescription): string[] {
  const problems: string[] = [];
  const typeOf = (name: string) => description.attributeDefinitions.find((a) => a.attributeName === name)?.attributeType;
  const keyProblem = (what: string, keys: TableDescription['keySchema'], keyType: string, name: string, attributeType: string, fix: string) => {
    const key = keys.find((k) => k.keyType === keyType);
    if (key?.attributeName === name && typeOf(name) === attributeType) return;
    const has = key ? `"${key.attributeName}" (${typeOf(key.attributeName) ?? '?'})` : 'missing';
    problems.push(`existingEventsTable's ${what} is ${has}; it must be "${name}" (${attributeType}): ${fix}.`);
  };
  const attribute = (name: string, attributeType: string) => `{ name: '${name}', type: AttributeType.${attributeType} }`;
  keyProblem('partition key', description.keySchema, 'HASH', KEYS.streamId, 'S', `partitionKey: ${attribute(KEYS.streamId, 'STRING')}`);
  keyProblem('sort key', description.keySchema, 'RANGE', KEYS.version, 'N', `sortKey: ${attribute(KEYS.version, 'NUMBER')}`);
  // Events are only inserted: the publisher reads each one from the record's new image.
  const view = description.streamViewType;
  if (view !== undefined && view !== 'NEW_IMAGE' && view !== 'NEW_AND_OLD_IMAGES') {
    problems.push(`existingEventsTable's stream is ${view}; the publisher reads each new event from the stream's new image: ` +
      'stream: StreamViewType.NEW_IMAGE (or NEW_AND_OLD_IMAGES; TableV2: dynamoStream).');
  }
  const index = description.globalSecondaryIndexes.find((i) => i.indexName === CATALOGUE.indexName);
  const addIndex = `addGlobalSecondaryIndex({ indexName: '${CATALOGUE.indexName}', partitionKey: ${attribute(CATALOGUE.shardAttribute, 'NUMBER')}, ` +
    `sortKey: ${attribute(KEYS.streamId, 'STRING')}, projectionType: ProjectionType.KEYS_ONLY })`;
  if (!index) {
    problems.push(`existingEventsTable has no global secondary index "${CATALOGUE.indexName}", the stream catalogue that backfills, rebuilds and replays list the streams from: ${addIndex}.`);
  } else {
    const before = problems.length;
    keyProblem(`"${CATALOGUE.indexName}" index's partition key`, index.keySchema, 'HASH', CATALOGUE.shardAttribute, 'N', addIndex);
    if (problems.length === before) keyProblem(`"${CATALOGUE.indexName}" index's sort key`, index.keySchema, 'RANGE', KEYS.streamId, 'S', addIndex);
  }
  return problems;
}

/** The table's resource in this app, resolved; undefined for an imported table. */
function describe(table: dynamodb.ITable): TableDescription | undefined {
  const resource = table.node.defaultChild;
  if (!(resource instanceof dynamodb.CfnTable) && !(resource instanceof dynamodb.CfnGlobalTable)) return undefined;
  const resolve = (value: unknown) => Stack.of(resource).resolve(value);
  const stream = resolve(resource.streamSpecification);
  return {
    keySchema: resolve(resource.keySchema) ?? [],
    attributeDefinitions: resolve(resource.attributeDefinitions) ?? [],
    streamViewType: stream?.streamViewType,
    globalSecondaryIndexes: resolve(resource.globalSecondaryIndexes) ?? [],
  };
}
