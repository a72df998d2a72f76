import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type { AlarmOptions } from '../alarm-options';
import type { EventSourcedApiProps } from '../event-sourced-api';
import type { EventTypeVersions } from '../event-type-versions';
import type { FunctionTuning } from '../function-tuning';
import type { ProjectionDefinition, ProjectionProps } from '../projection';
import type { RestApiOptions, UsagePlanLimits } from '../rest-api-options';
import type { IndexKey, ViewIndex } from '../view-index';

/**
 * What a prop holds: a user value whose keys are not ours to check (a CDK resource, a Duration,
 * a JSON Schema...), a struct of ours, or a list of structs.
 */
type Field = 'value' | StructShape | { readonly listOf: StructShape };

/** The keys of a struct and what each holds. */
export interface StructShape {
  /** The struct's name, as Python and Java spell it too. */
  readonly name: string;
  readonly fields: { readonly [key: string]: Field };
}

/**
 * Every key of T, each listed once: the compiler refuses a list that misses a prop of T or names
 * one T does not have, so adding a prop without listing it here fails to compile.
 */
export type Fields<T> = { readonly [K in keyof T]-?: Field };

const VALUE = 'value';

function shape<T>(name: string, fields: Fields<T>): StructShape {
  return { name, fields };
}

const FUNCTION_TUNING = shape<FunctionTuning>('FunctionTuning', { memorySize: VALUE, timeout: VALUE });

const USAGE_PLAN_LIMITS = shape<UsagePlanLimits>('UsagePlanLimits', {
  quotaLimit: VALUE, quotaPeriod: VALUE, throttlingRateLimit: VALUE, throttlingBurstLimit: VALUE,
});

/** CDK's struct, checked too: the construct reads it, and an ignored key would be as silent. */
const CORS_OPTIONS = shape<apigateway.CorsOptions>('CorsOptions', {
  allowOrigins: VALUE,
  allowMethods: VALUE,
  allowHeaders: VALUE,
  allowCredentials: VALUE,
  exposeHeaders: VALUE,
  maxAge: VALUE,
  statusCode: VALUE,
  disableCache: VALUE,
});

const REST_API_OPTIONS = shape<RestApiOptions>('RestApiOptions', {
  kind: VALUE,
  writePath: VALUE,
  existingApiResource: VALUE,
  enabled: VALUE,
  authorization: VALUE,
  throttlingRateLimit: VALUE,
  throttlingBurstLimit: VALUE,
  cors: CORS_OPTIONS,
  stageName: VALUE,
  restApiName: VALUE,
  apiKeyRequired: VALUE,
  usagePlan: USAGE_PLAN_LIMITS,
  cloudWatchRole: VALUE,
});

const ALARM_OPTIONS = shape<AlarmOptions>('AlarmOptions', {
  enabled: VALUE, alarmActions: VALUE, maxProjectionLag: VALUE, maxPublisherIteratorAge: VALUE, maxApiServerErrorPercent: VALUE,
});

const EVENT_TYPE_VERSIONS = shape<EventTypeVersions>('EventTypeVersions', {
  type: VALUE,
  currentVersion: VALUE,
  firstVersion: VALUE,
  acceptOlderVersions: VALUE,
  renamedTo: VALUE,
  // JSON Schemas keyed by version: user data.
  schemas: VALUE,
});

const INDEX_KEY = shape<IndexKey>('IndexKey', { field: VALUE, type: VALUE });

const VIEW_INDEX = shape<ViewIndex>('ViewIndex', { name: VALUE, partitionKey: INDEX_KEY, sortKey: INDEX_KEY });

const PROJECTION_DEFINITION_FIELDS: Fields<ProjectionDefinition> = {
  name: VALUE,
  entry: VALUE,
  version: VALUE,
  memorySize: VALUE,
  timeout: VALUE,
  batchSize: VALUE,
  nestedStack: VALUE,
  maxReceiveCount: VALUE,
  indexes: { listOf: VIEW_INDEX },
};
const PROJECTION_DEFINITION = shape<ProjectionDefinition>('ProjectionDefinition', PROJECTION_DEFINITION_FIELDS);

export const PROJECTION_PROPS = shape<ProjectionProps>('ProjectionProps', {
  ...PROJECTION_DEFINITION_FIELDS,
  topic: VALUE,
  eventsTable: VALUE,
  fifo: VALUE,
  removalPolicy: VALUE,
  logRetention: VALUE,
  logLevel: VALUE,
  encryptionKey: VALUE,
  streamIdField: VALUE,
  eventVersions: { listOf: EVENT_TYPE_VERSIONS },
  upcasters: VALUE,
});

export const EVENT_SOURCED_API_PROPS = shape<EventSourcedApiProps>('EventSourcedApiProps', {
  projections: { listOf: PROJECTION_DEFINITION },
  defaultView: VALUE,
  streamIdField: VALUE,
  fifo: VALUE,
  api: REST_API_OPTIONS,
  existingEventsTable: VALUE,
  eventsTableRemovalPolicy: VALUE,
  eventsTableDeletionProtection: VALUE,
  alarms: ALARM_OPTIONS,
  dashboard: VALUE,
  writer: FUNCTION_TUNING,
  reader: FUNCTION_TUNING,
  publisher: FUNCTION_TUNING,
  viewTablesRemovalPolicy: VALUE,
  maxBodyBytes: VALUE,
  defaultPageSize: VALUE,
  maxPageSize: VALUE,
  logRetention: VALUE,
  logLevel: VALUE,
  encryptionKey: VALUE,
  publisherRetryAttempts: VALUE,
  // JSON Schemas keyed by event type: user data.
  eventSchemas: VALUE,
  unknownEventTypes: VALUE,
  eventVersions: { listOf: EVENT_TYPE_VERSIONS },
  upcasters: VALUE,
  catchUpRate: VALUE,
});

/**
 * Refuses a key the struct does not have, in `value` and the structs inside it. An object literal
 * in JavaScript (or TypeScript through `any`) may have any key, and would otherwise be ignored
 * without a word. From Python and Java such a key never gets here: the jsii runtime keeps only a
 * struct's own keys of a dict or map (its kernel's struct deserializer), which is why the docs
 * tell Python users to write the struct's class. `where` names the value as the other errors do
 * (`projections[0]`), or is the struct's name at the top.
 */
export function checkKnownKeys(value: unknown, struct: StructShape, where: string = struct.name): void {
  if (!isPlainObject(value)) return;
  for (const [key, inner] of Object.entries(value)) {
    if (inner === undefined) continue;
    const field = Object.prototype.hasOwnProperty.call(struct.fields, key) ? struct.fields[key] : undefined;
    if (field === undefined) throw new Error(unknownKeyMessage(where, key, struct));
    const path = where === struct.name ? key : `${where}.${key}`;
    if (field === VALUE) continue;
    if ('listOf' in field) {
      if (Array.isArray(inner)) inner.forEach((item, index) => checkKnownKeys(item, field.listOf, `${path}[${index}]`));
    } else {
      checkKnownKeys(inner, field, path);
    }
  }
}

function unknownKeyMessage(where: string, key: string, struct: StructShape): string {
  const camel = key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  if (camel !== key && Object.prototype.hasOwnProperty.call(struct.fields, camel)) {
    return `${where} has an unknown key "${key}": from Python use ${struct.name}(${key}=…) or the key "${camel}".`;
  }
  return `${where} has an unknown key "${key}"; known keys: ${Object.keys(struct.fields).join(', ')}.`;
}

/** An object literal or a dict, not a class instance (a construct, a Duration...). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
