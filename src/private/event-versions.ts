import type { EventTypeVersionInfo, EventVersionTable } from '../contract';
import type { EventTypeVersions } from '../event-type-versions';

/** What `eventVersions` declares, as the Lambdas read it, plus the schemas of each version. */
export interface DeclaredEventVersions {
  readonly versions: EventVersionTable;
  /** Older versions' schemas, by type and version (the writer's event-versions.json). */
  readonly olderSchemas: Record<string, Record<string, unknown>>;
  /** Current versions' schemas declared in `eventVersions` (merged into `eventSchemas`). */
  readonly currentSchemas: Record<string, unknown>;
}

/** CDK's `Token.isUnresolved` at synth; the projection test kit, which has no CDK app, knows no tokens. */
export type Unresolved = (value: unknown) => boolean;

const MAX_TYPE_LENGTH = 256;
const MAX_VERSION = 1_000_000;

/**
 * Synth-time checks of `eventVersions`; every error names the entry (`eventVersions[1].currentVersion`).
 * `eventSchemas` is the current versions' schemas, which an entry may not give a second time.
 */
export function declaredEventVersions(
  list: EventTypeVersions[], eventSchemas: Record<string, unknown> | undefined, isUnresolved: Unresolved = () => false,
): DeclaredEventVersions {
  if (!Array.isArray(list)) throw new Error('eventVersions must be a list of { type, currentVersion, ... } entries.');
  const versions: Record<string, EventTypeVersionInfo> = {};
  const olderSchemas: Record<string, Record<string, unknown>> = {};
  const currentSchemas: Record<string, unknown> = {};
  list.forEach((entry, index) => {
    const at = `eventVersions[${index}]`;
    if (typeof entry !== 'object' || entry === null) throw new Error(`${at} must be an object: { type, currentVersion, ... }.`);
    const { type } = entry;
    if (typeof type !== 'string' || type.length === 0 || type.length > MAX_TYPE_LENGTH || isUnresolved(type)) {
      throw new Error(`${at}.type must be an event type of 1-${MAX_TYPE_LENGTH} characters known at synth.`);
    }
    if (Object.prototype.hasOwnProperty.call(versions, type)) throw new Error(`${at}.type "${type}" is declared more than once in eventVersions.`);
    const current = version(entry.currentVersion, `${at}.currentVersion`, 1, isUnresolved);
    const first = entry.firstVersion === undefined ? 1 : version(entry.firstVersion, `${at}.firstVersion`, 1, isUnresolved);
    if (first > current) throw new Error(`${at}.firstVersion (${first}) is above its currentVersion (${current}).`);
    if (entry.renamedTo !== undefined && (typeof entry.renamedTo !== 'string' || entry.renamedTo === type)) {
      throw new Error(`${at}.renamedTo must name another event type.`);
    }
    if (entry.renamedTo !== undefined && current < 2) {
      throw new Error(`${at}.renamedTo: "${type}" is renamed by its upcaster from version ${current - 1}, so its currentVersion must be at least 2 (the renamed type's version).`);
    }
    const renamed = entry.renamedTo !== undefined ? { renamedTo: entry.renamedTo } : {};
    versions[type] = { current, first, acceptOlder: entry.acceptOlderVersions ?? true, ...renamed };

    const schemas = entry.schemas ?? {};
    if (typeof schemas !== 'object' || schemas === null || Array.isArray(schemas)) throw new Error(`${at}.schemas must map version numbers ("1") to JSON Schemas.`);
    for (const [key, schema] of Object.entries(schemas)) {
      const where = `${at}.schemas["${key}"]`;
      if (!/^[1-9]\d*$/.test(key)) throw new Error(`${where}: the key must be a version number ("1", "2", ...).`);
      const v = Number(key);
      if (v < first || v > current) throw new Error(`${where}: "${type}" has versions ${first} to ${current} only.`);
      if (typeof schema !== 'boolean' && (typeof schema !== 'object' || schema === null || Array.isArray(schema))) {
        throw new Error(`${where} must be a JSON Schema (an object or a boolean).`);
      }
      if (v === current) {
        if (eventSchemas && Object.prototype.hasOwnProperty.call(eventSchemas, type)) {
          throw new Error(`${where} is the schema of the current version, which eventSchemas["${type}"] gives already; keep one of them.`);
        }
        currentSchemas[type] = schema;
      } else {
        (olderSchemas[type] ??= {})[key] = schema;
      }
    }
  });
  list.forEach((entry, index) => {
    const { renamedTo } = entry;
    if (renamedTo === undefined) return;
    const target = Object.prototype.hasOwnProperty.call(versions, renamedTo) ? versions[renamedTo] : undefined;
    const at = `eventVersions[${index}].renamedTo`;
    if (!target) throw new Error(`${at} "${renamedTo}" must be declared in eventVersions too: it has version ${entry.currentVersion}.`);
    if (target.first > entry.currentVersion || target.current < entry.currentVersion) {
      throw new Error(`${at} "${renamedTo}": the renamed events are version ${entry.currentVersion} of it, outside its versions ${target.first} to ${target.current}.`);
    }
    if (currentSchemas[entry.type] !== undefined || (eventSchemas && Object.prototype.hasOwnProperty.call(eventSchemas, entry.type))) {
      throw new Error(`${at}: "${entry.type}" has no current version of its own once renamed, so it cannot have a current schema; give its last version's schema under schemas["${entry.currentVersion - 1}"].`);
    }
  });
  return { versions, olderSchemas, currentSchemas };
}

/** The types whose stored events may be older than current, which need an upcasters module. */
export function typesNeedingUpcasters(versions: EventVersionTable): string[] {
  return Object.entries(versions).filter(([, info]) => info.first < info.current).map(([type]) => type);
}

function version(value: unknown, where: string, min: number, isUnresolved: Unresolved): number {
  if (typeof value !== 'number' || isUnresolved(value) || !Number.isInteger(value) || value < min || value > MAX_VERSION) {
    throw new Error(`${where} must be a whole number from ${min} to ${MAX_VERSION}, got ${JSON.stringify(value)}.`);
  }
  return value;
}
