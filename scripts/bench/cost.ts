/**
 * What a million events cost on AWS, from the calls the benchmark counted and public list prices.
 * The prices are the project's record of AWS's us-east-1 list prices (on-demand DynamoDB after
 * its 2024-11-01 price cut), not fetched at run time: check them against the pages named below.
 * Lambda durations cannot be measured locally; they are stated assumptions.
 */
import type { CallFigure } from '../benchmark-calls';

/** US East (N. Virginia) list prices in USD, as recorded on PRICES_AS_OF. */
export const PRICES_AS_OF = '2025-11-01';
export const PRICES = {
  /** https://aws.amazon.com/dynamodb/pricing/on-demand/ */
  dynamoWriteRequestUnit: 0.625 / 1e6,
  dynamoReadRequestUnit: 0.125 / 1e6,
  /** https://aws.amazon.com/lambda/pricing/ (x86; arm64 is 20% less per GB-second) */
  lambdaRequest: 0.20 / 1e6,
  lambdaGbSecond: 0.0000166667,
  /** https://aws.amazon.com/api-gateway/pricing/ (REST API, first 333 million a month) */
  restApiRequest: 3.50 / 1e6,
  /** https://aws.amazon.com/sns/pricing/ (FIFO topic: publish requests, per 64 KB) */
  snsFifoPublish: 0.30 / 1e6,
  /** https://aws.amazon.com/sns/pricing/ (FIFO topic: deliveries to SQS, per subscription message) */
  snsFifoDelivery: 0.01 / 1e6,
  /** https://aws.amazon.com/sqs/pricing/ (FIFO queues, per request of up to 64 KB) */
  sqsFifoRequest: 0.50 / 1e6,
} as const;

/** Lambda durations assumed per invocation (warm, 256 MiB as the construct sets them). */
export const ASSUMED = {
  memoryGb: 0.25,
  writerMs: 30,
  publisherMsPerBatch: 60,
  publisherEventsPerBatch: 10,
  aggregatorMsPerBatch: 30,
  /** Steady flow: one event per aggregator batch (the costly case; a backlog batches up to 10). */
  aggregatorEventsPerBatch: 1,
} as const;

export interface CostLine {
  readonly item: string;
  readonly perMillion: number;
}

/**
 * Per event: the REST request and the writer; the publisher's share of a stream batch and one
 * PublishBatch entry; per view, SNS's delivery, SQS's send, receive and delete, the aggregator's
 * share of an invocation and its DynamoDB calls. Events of up to 1 KB: a transactional write of
 * an item costs 2 write units, a standard one 1; an eventually consistent read up to 4 KB half a
 * read unit, a strongly consistent one 1.
 */
export function costPerMillion(calls: CallFigure[], views: number): CostLine[] {
  const find = (prefix: string) => callFigure(calls, prefix);
  const perOp = (figure: CallFigure, command: string) => (figure.byCommand[command] ?? 0) / figure.operations;
  const writer = find('writer, no expectedVersion, warm');
  const aggregator = find('aggregator, steady flow');
  // TransactWriteItems: the event, its marker and the check that the version before exists.
  const writerWriteUnits = perOp(writer, 'TransactWriteItems') * 3 * 2;
  const writerReadUnits = perOp(writer, 'Query') * 1;
  const aggregatorWriteUnits = perOp(aggregator, 'PutItem') * 1;
  const aggregatorReadUnits = (perOp(aggregator, 'GetItem') + perOp(aggregator, 'Query')) * 1;
  const gbSeconds = (ms: number) => (ms / 1000) * ASSUMED.memoryGb;
  const M = 1e6;
  const lines: CostLine[] = [
    { item: 'API Gateway REST request', perMillion: M * PRICES.restApiRequest },
    { item: 'writer Lambda (request + duration)', perMillion: M * (PRICES.lambdaRequest + gbSeconds(ASSUMED.writerMs) * PRICES.lambdaGbSecond) },
    { item: 'writer DynamoDB (write and read units)', perMillion: M * (writerWriteUnits * PRICES.dynamoWriteRequestUnit + writerReadUnits * PRICES.dynamoReadRequestUnit) },
    {
      item: 'publisher Lambda (share of a stream batch)',
      perMillion: (M / ASSUMED.publisherEventsPerBatch) * (PRICES.lambdaRequest + gbSeconds(ASSUMED.publisherMsPerBatch) * PRICES.lambdaGbSecond),
    },
    { item: 'SNS FIFO publish', perMillion: M * PRICES.snsFifoPublish },
  ];
  if (views > 0) {
    const invocation = PRICES.lambdaRequest + gbSeconds(ASSUMED.aggregatorMsPerBatch) * PRICES.lambdaGbSecond;
    const perBatch = (M / ASSUMED.aggregatorEventsPerBatch) * invocation;
    lines.push(
      { item: `SNS FIFO deliveries (× ${views} views)`, perMillion: views * M * PRICES.snsFifoDelivery },
      // The send by SNS, then a receive and a delete per batch.
      { item: `SQS FIFO requests (× ${views} views)`, perMillion: views * M * (1 + 2 / ASSUMED.aggregatorEventsPerBatch) * PRICES.sqsFifoRequest },
      { item: `aggregator Lambda (× ${views} views)`, perMillion: views * perBatch },
      {
        item: `aggregator DynamoDB (× ${views} views)`,
        perMillion: views * M * (aggregatorWriteUnits * PRICES.dynamoWriteRequestUnit + aggregatorReadUnits * PRICES.dynamoReadRequestUnit),
      },
    );
  }
  return lines;
}

/**
 * The append path alone, per million appends: the writer Lambda's (warm, as counted) or
 * WritePath.DIRECT's (API Gateway and its one DynamoDB call, as counted). Everything after the
 * append (publisher, fan-out, views) is the same for both.
 */
export function appendCostPerMillion(calls: CallFigure[]): Array<{ path: string; lines: CostLine[] }> {
  const M = 1e6;
  const dynamo = (figure: CallFigure) => {
    const perOp = (command: string) => (figure.byCommand[command] ?? 0) / figure.operations;
    // TransactWriteItems: the event, its marker and the check that the version before exists, 2 units each.
    return M * (perOp('TransactWriteItems') * 3 * 2 * PRICES.dynamoWriteRequestUnit + perOp('Query') * PRICES.dynamoReadRequestUnit);
  };
  const gateway = { item: 'API Gateway REST request', perMillion: M * PRICES.restApiRequest };
  return [
    {
      path: 'writer Lambda (WritePath.LAMBDA)',
      lines: [
        gateway,
        { item: 'writer Lambda', perMillion: M * (PRICES.lambdaRequest + (ASSUMED.writerMs / 1000) * ASSUMED.memoryGb * PRICES.lambdaGbSecond) },
        { item: 'DynamoDB', perMillion: dynamo(callFigure(calls, 'writer, no expectedVersion, warm')) },
      ],
    },
    { path: 'WritePath.DIRECT', lines: [gateway, { item: 'DynamoDB', perMillion: dynamo(callFigure(calls, 'DIRECT')) }] },
  ];
}

function callFigure(calls: CallFigure[], prefix: string): CallFigure {
  const figure = calls.find((c) => c.what.startsWith(prefix));
  if (!figure) throw new Error(`no call figure for "${prefix}"`);
  return figure;
}
