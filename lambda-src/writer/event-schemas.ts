import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/** What the writer checks an event's data against: a JSON Schema per event type. */
export interface EventSchemaSettings {
  /** Event type -> JSON Schema (draft-07) of the event's data: the POST body without its envelope. */
  readonly schemas: Record<string, unknown>;
  /** Refuse event types that have no schema (400), instead of storing them unchecked. */
  readonly rejectUnknownTypes: boolean;
  /** Event type -> older schema version ("1", "2", ...) -> JSON Schema of that version's data. */
  readonly olderSchemas?: Record<string, Record<string, unknown>>;
}

/** The file the construct writes beside the writer's code when the API has event schemas. */
export const EVENT_SCHEMAS_FILE = 'event-schemas.json';

/**
 * Compiles every schema once. An unknown keyword or format is an error, not silently ignored
 * (ajv's strictSchema, and formats from ajv-formats); ajv's stricter style rules (a required
 * property not listed, types left implicit) are not, as they refuse schemas the standard allows.
 * Throws an error naming the event type of the first schema that does not compile.
 */
export function compileEventSchemas(settings: EventSchemaSettings): EventSchemaCheck {
  const ajv = new Ajv({ strictSchema: true, strictNumbers: true, strictTypes: false, strictTuples: false, strictRequired: false, allErrors: false });
  addFormats(ajv);
  const compile = (schema: unknown, where: string) => {
    try {
      return ajv.compile(schema as object);
    } catch (err) {
      throw new Error(`${where} is not a JSON Schema the writer can use: ${String((err as Error).message ?? err)}`);
    }
  };
  const validators = new Map<string, ValidateFunction>();
  for (const [type, schema] of Object.entries(settings.schemas)) validators.set(type, compile(schema, `eventSchemas["${type}"]`));
  const older = new Map<string, ValidateFunction>();
  for (const [type, byVersion] of Object.entries(settings.olderSchemas ?? {})) {
    for (const [version, schema] of Object.entries(byVersion)) {
      older.set(olderKey(type, Number(version)), compile(schema, `eventVersions "${type}" schemas["${version}"]`));
    }
  }
  return new EventSchemaCheck(validators, settings.rejectUnknownTypes, older);
}

const olderKey = (type: string, version: number) => `${type}\u0000${version}`;

/** Synth-time check of the construct's `eventSchemas` prop: the problems, each naming its event type. */
export function eventSchemaProblems(schemas: Record<string, unknown>, olderSchemas?: Record<string, Record<string, unknown>>): string[] {
  try {
    compileEventSchemas({ schemas, rejectUnknownTypes: false, olderSchemas });
    return [];
  } catch (err) {
    return [String((err as Error).message)];
  }
}

/**
 * The compiled schemas. It answers with the problem rather than throwing the writer's HttpError:
 * in Lambda this module is a bundle of its own, with its own copy of every class.
 */
export class EventSchemaCheck {
  constructor(
    private readonly validators: Map<string, ValidateFunction>,
    private readonly rejectUnknownTypes: boolean,
    private readonly older: Map<string, ValidateFunction> = new Map(),
  ) {}

  /**
   * The first field of `data` that the type's schema refuses (by JSON Pointer), and why; undefined
   * if none. An older version (`olderVersion`) is checked against that version's schema; one
   * without a schema is refused when the API checks the type (or refuses unknown types).
   */
  public problem(type: string, data: Record<string, unknown>, olderVersion?: number): string | undefined {
    if (olderVersion !== undefined) {
      const validateOlder = this.older.get(olderKey(type, olderVersion));
      if (validateOlder) return validateOlder(data) ? undefined : describe(validateOlder.errors?.[0], `"${type}" version ${olderVersion}`);
      if (this.validators.has(type) || this.rejectUnknownTypes) {
        return `Version ${olderVersion} of "${type}" has no schema, and this API checks "${type}" events: send the current version, or declare the schema of version ${olderVersion} in eventVersions`;
      }
      return undefined;
    }
    const validate = this.validators.get(type);
    if (!validate) {
      if (!this.rejectUnknownTypes) return undefined;
      return `Event type "${type}" has no schema, and this API accepts only: ${[...this.validators.keys()].map((t) => `"${t}"`).join(', ')}`;
    }
    return validate(data) ? undefined : describe(validate.errors?.[0], `"${type}"`);
  }
}

/** "Field /items/0/qty must be >= 1 (schema of "OrderPlaced")": the pointer of the failing field, and why. */
function describe(error: ErrorObject | undefined, schemaOf: string): string {
  const where = `(schema of ${schemaOf})`;
  if (!error) return `Event data does not match its schema ${where}`;
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  if (error.keyword === 'required' && params.missingProperty !== undefined) {
    return `Field ${error.instancePath}/${escapePointer(params.missingProperty)} is required ${where}`;
  }
  if (error.keyword === 'additionalProperties' && params.additionalProperty !== undefined) {
    return `Field ${error.instancePath}/${escapePointer(params.additionalProperty)} is not allowed ${where}`;
  }
  return `${error.instancePath === '' ? 'Event data' : `Field ${error.instancePath}`} ${error.message ?? 'does not match'} ${where}`;
}

/** RFC 6901: "~" is written "~0" and "/" is written "~1". */
function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
