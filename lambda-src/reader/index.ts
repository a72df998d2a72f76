import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { streamHistory } from './history';
import { indexNotReady, parseIndexQuery, queryIndexPage, type IndexQuery } from './index-query';
import { IndexReadiness } from './index-readiness';
import { decodePageToken, encodePageToken } from './page-token';
import { rebuilt, type ViewTables } from './rebuilds';
import { readerUpcasting } from './upcasting';
import { getEntry, listRecords, type ViewEntry } from './views';
import { DEFAULTS, ENV, METRICS, MIN_VERSION_HEADER, PAGE_HEADERS } from '../../src/contract';
import { dynamoClient, requireEnv } from '../core/dynamo';
import { header, httpHandler, HttpError, jsonResponse } from '../core/http';
import { log, metricFields, stopwatch } from '../core/log';
import { isStreamId } from '../core/stream-id';
import { RegistryCache, type Registration } from '../core/view-registry';

interface ReaderConfig {
  /** The events table, for `GET /streams/{id}`. */
  readonly eventsTable?: string;
  /** The views, from the registry table. */
  readonly registry: RegistryCache;
  readonly defaultView: string;
  readonly streamIdField: string;
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
}

/** The first path segment of `GET /streams/{id}`, a view name no projection may take. */
const STREAMS_ROUTE = 'streams';

/** Read-your-writes waits at most this long for a record to reach ?minVersion. */
export const MAX_MIN_VERSION_WAIT_MS = 10_000;

/** Which index of which table is ready to query, kept per execution environment. */
const indexReadiness = new IndexReadiness();

/** Forgets which indexes were found ready (tests start afresh). */
export function forgetIndexReadiness(): void {
  indexReadiness.forget();
}

/** The settings are parsed once per container (again only if the environment changes, as in tests). */
let parsed: { readonly key: string; readonly config: ReaderConfig } | undefined;
const SETTINGS = [ENV.eventsTable, ENV.viewRegistry, ENV.defaultView, ENV.streamIdField, ENV.defaultPageSize, ENV.maxPageSize] as const;

function config(): ReaderConfig {
  const key = SETTINGS.map((name) => process.env[name] ?? '').join('\u0000');
  if (parsed?.key !== key) parsed = { key, config: readConfig() };
  return parsed.config;
}

function readConfig(): ReaderConfig {
  return {
    eventsTable: process.env[ENV.eventsTable],
    registry: new RegistryCache(requireEnv(ENV.viewRegistry)),
    defaultView: requireEnv(ENV.defaultView),
    streamIdField: process.env[ENV.streamIdField] ?? DEFAULTS.streamIdField,
    defaultPageSize: Number(process.env[ENV.defaultPageSize] ?? DEFAULTS.defaultPageSize),
    maxPageSize: Number(process.env[ENV.maxPageSize] ?? DEFAULTS.maxPageSize),
  };
}

/**
 * GET /              list the default view
 * GET /{view}        list a view, or (if no view has that name) read record {view} of the default view;
 *                    ?index=<name>&key=<v>[&prefix=|&from=&to=][&order=] queries one of its indexes
 * GET /{view}/{id}   read one record of a view; ?minVersion=N (or X-Min-Version) waits for version N
 * GET /streams/{id}  a stream's events, in version order (`streams` is a reserved view name)
 */
export async function handler(event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> {
  const elapsed = stopwatch();
  const response = await answer(event, context);
  log('debug', 'read answered', { path: event.path, status: response.statusCode, durationMs: elapsed() });
  return response;
}

const answer = httpHandler(async (event, context) => {
  const cfg = config();
  try {
    return await route(event, context, cfg);
  } catch (error) {
    // A table the registry named is gone (a deploy replaced it since the registry was read):
    // read the registry again and answer from the tables it names now.
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    log('info', 'a view table was not found; reading the view registry again', { error: String(error) });
    cfg.registry.invalidate();
    return route(event, context, cfg);
  }
});

async function route(event: APIGatewayProxyEvent, context: Context | undefined, cfg: ReaderConfig): Promise<APIGatewayProxyResult> {
  const first = pathParameter(event, 'view');
  const second = pathParameter(event, 'id');
  const client = dynamoClient();

  if (first === STREAMS_ROUTE && second !== undefined) {
    if (!cfg.eventsTable) throw new HttpError(404, 'This API does not serve stream histories');
    return streamHistory(event, second, { client, eventsTable: cfg.eventsTable, upcasting: readerUpcasting(), limit: pageSize(event, cfg) });
  }
  if (first !== undefined && second !== undefined) return readOne(event, context, cfg, await tablesOf(cfg, first), first, second);
  if (first === undefined) return list(event, cfg, await registrationOf(cfg, cfg.defaultView));
  const views = await cfg.registry.current(client, first);
  if (views.has(first)) return list(event, cfg, await registrationOf(cfg, first));
  return readOne(event, context, cfg, await tablesOf(cfg, cfg.defaultView), cfg.defaultView, first);
}

/**
 * One record. While the view is rebuilt, the entry with the higher version of the two tables
 * answers (the new version's as soon as its stream is rebuilt), so a record never goes back in
 * version and never disappears. With minVersion, it waits (bounded) until the record has reached
 * that version, and answers 412 with the version it has if it does not get there in time.
 */
async function readOne(event: APIGatewayProxyEvent, context: Context | undefined, cfg: ReaderConfig, tables: ViewTables, view: string, id: string) {
  const minVersion = minVersionOf(event);
  // An id the writer never stores (empty, too long...) has no record: no need to ask DynamoDB,
  // which would refuse some of them (an empty key) with an error.
  if (!isStreamId(id)) {
    if (minVersion !== undefined) throw new HttpError(412, `View "${view}" has no record "${id}", so it is not at version ${minVersion}`);
    throw new HttpError(404, `No record "${id}" in view "${view}"`);
  }
  const client = dynamoClient();
  const read = async (consistent: boolean): Promise<ViewEntry | undefined> => {
    const names = await rebuilt(client, tables) ? [tables.current] : [tables.current, tables.previous!];
    const [current, previous] = await Promise.all(names.map((table) => getEntry(client, table, id, cfg.streamIdField, consistent)));
    return (current?.version ?? 0) >= (previous?.version ?? 0) ? current : previous;
  };

  let entry = await read(minVersion !== undefined);
  if (minVersion !== undefined) {
    const deadline = Date.now() + Math.min(MAX_MIN_VERSION_WAIT_MS, (context?.getRemainingTimeInMillis?.() ?? Infinity) - 1000);
    for (let wait = 20; (entry?.version ?? 0) < minVersion && Date.now() + wait < deadline; wait = Math.min(wait * 2, 500)) {
      await new Promise((resolve) => setTimeout(resolve, wait));
      entry = await read(true);
    }
    if ((entry?.version ?? 0) < minVersion) {
      return jsonResponse(412, {
        message: `${notYetThere(view, id, entry)}, not yet at ${minVersion}; retry shortly`,
        version: entry?.version ?? 0,
      }, { 'Retry-After': '1' });
    }
  }
  if (!entry?.record) throw new HttpError(404, `No record "${id}" in view "${view}"`);
  return jsonResponse(200, entry.record);
}

/**
 * What the view has of a record, in the words GET uses: a stream whose record the projection
 * deleted (or never made) has no record, as GET's 404 says, only the version of its last event.
 */
function notYetThere(view: string, id: string, entry: ViewEntry | undefined): string {
  if (!entry) return `View "${view}" has no record "${id}" yet (no event of the stream applied)`;
  if (!entry.record) return `View "${view}" has no record "${id}": the projection deleted it (or never made one) at version ${entry.version}`;
  return `View "${view}" has record "${id}" at version ${entry.version}`;
}

/** ?minVersion=N or the X-Min-Version header: a whole number from 1, or absent. */
function minVersionOf(event: APIGatewayProxyEvent): number | undefined {
  const raw = event.queryStringParameters?.minVersion ?? header(event, MIN_VERSION_HEADER);
  if (raw === undefined) return undefined;
  if (!/^[1-9]\d{0,15}$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new HttpError(400, `minVersion must be a whole number from 1 (the version a POST answered), got "${raw}"`);
  }
  return Number(raw);
}

async function list(event: APIGatewayProxyEvent, cfg: ReaderConfig, registration: Registration) {
  const view = registration.view;
  const params = event.queryStringParameters ?? {};
  if (minVersionOf(event) !== undefined) {
    if (params.index !== undefined) {
      throw new HttpError(400, 'minVersion does not apply to an index query: an index is eventually consistent and has no single version; '
        + 'read one record with GET /{view}/{id}?minVersion=N');
    }
    throw new HttpError(400, 'minVersion applies to reading one record: GET /{view}/{id}?minVersion=N');
  }
  const indexQuery = parseIndexQuery(view, registration.indexes ?? [], params);
  if (indexQuery) return queryIndex(event, cfg, registration, indexQuery);
  const limit = pageSize(event, cfg);
  const token = pageToken(event);
  const after = token === undefined || token === '' ? undefined : decodePageToken(view, token);
  // Lists come from one table: the previous version's until the rebuilt one has caught up.
  const client = dynamoClient();
  const tables = tablesOfRegistration(registration);
  const table = await rebuilt(client, tables) ? tables.current : tables.previous!;
  const page = await listRecords(client, table, limit, after, cfg.streamIdField);
  const headers: Record<string, string> = page.lastStreamId === undefined
    ? {}
    : { [PAGE_HEADERS.response]: encodePageToken(view, page.lastStreamId) };
  return jsonResponse(200, page.items, headers);
}

/**
 * One page of an index query, from the table lists read (the previous version's until the rebuilt
 * one has caught up), once that table's `$indexes` item says the index is ready: 503 with
 * Retry-After until then, never an answer from an index still being built or restamped.
 */
async function queryIndex(event: APIGatewayProxyEvent, cfg: ReaderConfig, registration: Registration, query: IndexQuery) {
  const limit = pageSize(event, cfg);
  const client = dynamoClient();
  const tables = tablesOfRegistration(registration);
  const current = await rebuilt(client, tables);
  const table = current ? tables.current : tables.previous!;
  if (!await indexReadiness.ready(client, table, query.spec)) {
    throw indexNotReady(registration.view, query.spec.name, current ? undefined : registration.version);
  }
  const page = await queryIndexPage(client, table, query, limit, pageToken(event), cfg.streamIdField);
  log('info', 'index query page answered', {
    index: query.spec.name,
    items: page.items.length,
    ...metricFields({ [METRICS.dimensions.api]: cfg.eventsTable ?? '', [METRICS.dimensions.view]: registration.view }, { [METRICS.indexQueries]: 1 }),
  });
  return jsonResponse(200, page.items, page.nextToken === undefined ? {} : { [PAGE_HEADERS.response]: page.nextToken });
}

/** The token of the page wanted: ?cursor= or the ExclusiveStartKey header. */
function pageToken(event: APIGatewayProxyEvent): string | undefined {
  return event.queryStringParameters?.cursor ?? header(event, PAGE_HEADERS.request);
}

/** A registered view; 404 for a view the registry does not have. */
async function registrationOf(cfg: ReaderConfig, view: string): Promise<Registration> {
  const registration = (await cfg.registry.current(dynamoClient(), view)).get(view);
  if (!registration) throw new HttpError(404, `Unknown view "${view}"`);
  return registration;
}

function tablesOfRegistration(registration: Registration): ViewTables {
  return { current: registration.table, previous: registration.previousTable };
}

/** The tables of a registered view; 404 for a view the registry does not have. */
async function tablesOf(cfg: ReaderConfig, view: string): Promise<ViewTables> {
  return tablesOfRegistration(await registrationOf(cfg, view));
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
