import * as fs from 'node:fs';
import * as path from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { appendEvent, type AppendResult } from './append';
import type { EventSchemaCheck } from './event-schemas';
import { schemaVersionOf } from './schema-version';
import { parseAppendRequest } from './validate';
import { DEFAULTS, ENV, METRICS, REPLAY_HEADER } from '../../src/contract';
import { dynamoClient, requireEnv } from '../core/dynamo';
import { eventVersionsFile } from '../core/event-versions-file';
import { errorResponse, HttpError, jsonResponse } from '../core/http';
import { log, metricFields, stopwatch } from '../core/log';
import type { StoredEvent } from '../core/stored-event';
import { sortKeys } from '../core/user-data';

/** POST / — appends one event. 201 with the stored envelope; a replayed eventId answers the same. */
export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const elapsed = stopwatch();
  let appended: AppendResult | undefined;
  let response: APIGatewayProxyResult;
  try {
    appended = await append(event);
    const { event: stored, replayed } = appended;
    response = jsonResponse(201, responseBody(stored, configuredStreamIdField()), replayed ? { [REPLAY_HEADER]: 'true' } : {});
  } catch (err) {
    response = errorResponse(err);
  }
  // One line per request: what was stored, how long it took, and the metrics (EMF): new events,
  // rejected requests (4xx), and the 409s among them.
  const status = response.statusCode;
  const { streamId, version, eventId, type } = appended?.event ?? {};
  log('info', 'append answered', {
    status,
    ...(appended ? { streamId, version, eventId, type, replayed: appended.replayed } : {}),
    durationMs: elapsed(),
    ...metricFields({ [METRICS.dimensions.api]: process.env[ENV.eventsTable] ?? '' }, {
      [METRICS.appends]: appended && !appended.replayed ? 1 : 0,
      [METRICS.appendsRejected]: status >= 400 && status < 500 ? 1 : 0,
      [METRICS.appendConflicts]: status === 409 ? 1 : 0,
    }),
  });
  return response;
}

const configuredStreamIdField = () => process.env[ENV.streamIdField] ?? DEFAULTS.streamIdField;

async function append(event: APIGatewayProxyEvent): Promise<AppendResult> {
  const tableName = requireEnv(ENV.eventsTable);
  const maxBodyBytes = Number(process.env[ENV.maxBodyBytes] ?? DEFAULTS.maxBodyBytes);
  const request = parseAppendRequest(event.body, event.isBase64Encoded, configuredStreamIdField(), maxBodyBytes);
  const { versions } = eventVersionsFile(__dirname);
  const info = Object.prototype.hasOwnProperty.call(versions, request.type) ? versions[request.type] : undefined;
  const schemaVersion = schemaVersionOf(request, info ?? { current: 1, first: 1, acceptOlder: false });
  const older = info !== undefined && schemaVersion < info.current ? schemaVersion : undefined;
  const refused = eventSchemas()?.problem(request.type, request.data, older);
  if (refused) throw new HttpError(400, refused);
  return appendEvent(dynamoClient(), tableName, { ...request, schemaVersion });
}

/** The API's event schemas, compiled once per environment (again only if the settings change, as in tests). */
let compiled: { readonly key: string; readonly check?: EventSchemaCheck } | undefined;

function eventSchemas(): EventSchemaCheck | undefined {
  const file = process.env[ENV.eventSchemas];
  const key = `${file ?? ''}\u0000${process.env[ENV.rejectUnknownEventTypes] ?? ''}\u0000${process.env[ENV.eventVersions] ?? ''}`;
  if (compiled?.key !== key) {
    // Beside the code, where the construct writes it (an absolute path in tests).
    const schemas = file ? JSON.parse(fs.readFileSync(path.resolve(__dirname, file), 'utf8')) as Record<string, unknown> : undefined;
    const { olderSchemas } = eventVersionsFile(__dirname);
    const rejectUnknownTypes = process.env[ENV.rejectUnknownEventTypes] === 'true';
    const checked = schemas !== undefined || (olderSchemas !== undefined && Object.keys(olderSchemas).length > 0);
    const check = checked ? schemaCompiler().compileEventSchemas({ schemas: schemas ?? {}, rejectUnknownTypes, olderSchemas }) : undefined;
    compiled = { key, check };
  }
  return compiled.check;
}

/**
 * The schema compiler (ajv) is not in the writer's bundle: the construct puts its own bundle beside
 * the writer's code, as event-schemas.js, only for APIs with event schemas, so the others do not
 * load 130 KB they never use. From the sources (tests), the module next to this one.
 */
function schemaCompiler(): typeof import('./event-schemas') {
  const beside = path.join(__dirname, 'event-schemas.js');
  const source = './event-schemas'; // a variable: esbuild leaves the require to run time
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(fs.existsSync(beside) ? beside : source) as typeof import('./event-schemas');
}

/**
 * The 201 body, with its keys in a fixed order: DynamoDB does not keep the order of attributes or
 * map keys, so without this a replay would answer different bytes than the first append did.
 */
function responseBody(stored: StoredEvent, streamIdField: string): Record<string, unknown> {
  return {
    streamId: stored.streamId,
    version: stored.version,
    eventId: stored.eventId,
    type: stored.type,
    schemaVersion: stored.schemaVersion,
    timestamp: stored.timestamp,
    [streamIdField]: stored.streamId,
    data: sortKeys(stored.data),
  };
}
