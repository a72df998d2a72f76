import type { APIGatewayProxyEvent } from 'aws-lambda';
import { decodePageToken, encodePageToken } from './page-token';
import { getRecord, listRecords } from './views';
import { ENV, PAGE_HEADERS } from '../../src/private/contract';
import { dynamoClient } from '../core/dynamo';
import { header, httpHandler, HttpError, jsonResponse } from '../core/http';
import { isStreamId } from '../core/stream-id';

interface ReaderConfig {
  readonly views: Record<string, string>;
  readonly defaultView: string;
  readonly streamIdField: string;
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
}

function config(): ReaderConfig {
  const views = JSON.parse(process.env[ENV.views] ?? '{}') as Record<string, string>;
  return {
    views,
    defaultView: process.env[ENV.defaultView] ?? Object.keys(views)[0],
    streamIdField: process.env[ENV.streamIdField] ?? 'id',
    defaultPageSize: Number(process.env[ENV.defaultPageSize] ?? 10),
    maxPageSize: Number(process.env[ENV.maxPageSize] ?? 100),
  };
}

/**
 * GET /              list the default view
 * GET /{view}        list a view, or (if no view has that name) read record {view} of the default view
 * GET /{view}/{id}   read one record of a view
 */
export const handler = httpHandler(async (event) => {
  const cfg = config();
  const first = pathParameter(event, 'view');
  const second = pathParameter(event, 'id');

  if (first !== undefined && second !== undefined) return readOne(event, cfg, first, second);
  if (first === undefined) return list(event, cfg, cfg.defaultView);
  if (Object.prototype.hasOwnProperty.call(cfg.views, first)) return list(event, cfg, first);
  return readOne(event, cfg, cfg.defaultView, first);
});

async function readOne(_event: APIGatewayProxyEvent, cfg: ReaderConfig, view: string, id: string) {
  const table = tableOf(cfg, view);
  // An id the writer never stores (empty, too long...) has no record: no need to ask DynamoDB,
  // which would refuse some of them (an empty key) with an error.
  const record = isStreamId(id) ? await getRecord(dynamoClient(), table, id, cfg.streamIdField) : undefined;
  if (!record) throw new HttpError(404, `No record "${id}" in view "${view}"`);
  return jsonResponse(200, record);
}

async function list(event: APIGatewayProxyEvent, cfg: ReaderConfig, view: string) {
  const table = tableOf(cfg, view);
  const limit = pageSize(event, cfg);
  const token = event.queryStringParameters?.cursor ?? header(event, PAGE_HEADERS.request);
  const after = token === undefined || token === '' ? undefined : decodePageToken(view, token);
  const page = await listRecords(dynamoClient(), table, limit, after, cfg.streamIdField);
  const headers: Record<string, string> = page.lastStreamId === undefined
    ? {}
    : { [PAGE_HEADERS.response]: encodePageToken(view, page.lastStreamId) };
  return jsonResponse(200, page.items, headers);
}

function tableOf(cfg: ReaderConfig, view: string): string {
  if (!Object.prototype.hasOwnProperty.call(cfg.views, view)) throw new HttpError(404, `Unknown view "${view}"`);
  return cfg.views[view];
}

function pageSize(event: APIGatewayProxyEvent, cfg: ReaderConfig): number {
  const raw = event.queryStringParameters?.limit;
  if (raw === undefined) return cfg.defaultPageSize;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > cfg.maxPageSize) {
    throw new HttpError(400, `Query parameter "limit" must be a whole number from 1 to ${cfg.maxPageSize}`);
  }
  return n;
}

/** REST API path parameters arrive still percent-encoded: `/default/a%20b` reads record "a b". */
function pathParameter(event: APIGatewayProxyEvent, name: string): string | undefined {
  const raw = event.pathParameters?.[name];
  if (raw === undefined || raw === null) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, `Path segment "${raw}" is not valid percent-encoding`);
  }
}
