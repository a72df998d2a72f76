import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { SPEC_EVENT_KEYS, SpecUsageError } from './spec-events';
import type { EventTypeVersions } from '../../src/event-type-versions';
import type { GivenRecordOptions, ProjectionSpecOptions, SpecEvent, SpecRecord } from '../../src/testing/types';
import type { ViewIndex } from '../../src/view-index';

/** A spec file's case: what is given, the events under test, and exactly one expectation. */
export interface SpecCase {
  readonly name: string;
  readonly given: readonly SpecEvent[];
  readonly givenRecords: ReadonlyArray<{ readonly record: SpecRecord } & GivenRecordOptions>;
  readonly when: readonly SpecEvent[];
  readonly expect:
  | { readonly kind: 'then'; readonly record: SpecRecord; readonly streamId?: string }
  | { readonly kind: 'thenRecords'; readonly records: Record<string, SpecRecord | null> }
  | { readonly kind: 'thenDeleted' | 'thenUnchanged'; readonly streamId?: string }
  | { readonly kind: 'thenFails'; readonly pattern?: string | RegExp };
}

export interface SpecDocument {
  readonly file: string;
  /** Absolute path of the projection module: `projection:`, or the file named like the spec beside it. */
  readonly projection?: string;
  readonly options: ProjectionSpecOptions;
  readonly cases: readonly SpecCase[];
}

/** File names a spec file may have: `summary.spec.yaml` specifies `summary.ts` (or .js, .mts…) beside it. */
export const SPEC_FILE = /\.spec\.(json|ya?ml)$/;
const PROJECTION_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];
const TOP_KEYS = ['projection', 'streamId', 'streamIdField', 'upcasters', 'eventVersions', 'indexes', 'cases'];
const CASE_KEYS = ['name', 'given', 'givenRecords', 'when', 'then', 'thenRecords', 'thenDeleted', 'thenUnchanged', 'thenFails', 'streamId'];
const EXPECTATIONS = ['then', 'thenRecords', 'thenDeleted', 'thenUnchanged', 'thenFails'] as const;

/**
 * Reads and checks a spec file (JSON, or YAML 1.2), every error naming the file and the case.
 * Paths in it (`projection`, `upcasters`) are relative to the file.
 */
export function readSpecFile(file: string): SpecDocument {
  const at = (where: string) => `${file}: ${where}`;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new SpecUsageError(at('cannot be read'));
  }
  let doc: unknown;
  try {
    doc = /\.json$/.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new SpecUsageError(at(`is not valid ${/\.json$/.test(file) ? 'JSON' : 'YAML'}: ${(err as Error).message}`));
  }
  const top = objectAt(doc, at('the file'), 'an object with `cases`');
  unknownKeys(top, TOP_KEYS, at('the file'));
  const dir = path.dirname(path.resolve(file));
  const projection = optionalString(top.projection, at('projection'));
  const upcasters = optionalString(top.upcasters, at('upcasters'));
  if (top.eventVersions !== undefined && !Array.isArray(top.eventVersions)) throw new SpecUsageError(at('eventVersions must be a list of { type, currentVersion, ... }'));
  if (top.indexes !== undefined && !Array.isArray(top.indexes)) throw new SpecUsageError(at('indexes must be a list of { name, partitionKey: { field, type }, sortKey? }'));
  const options: ProjectionSpecOptions = {
    streamId: optionalString(top.streamId, at('streamId')),
    streamIdField: optionalString(top.streamIdField, at('streamIdField')),
    eventVersions: top.eventVersions as EventTypeVersions[] | undefined,
    upcasters: upcasters === undefined ? undefined : path.resolve(dir, upcasters),
    indexes: top.indexes as ViewIndex[] | undefined,
  };
  if (!Array.isArray(top.cases) || top.cases.length === 0) throw new SpecUsageError(at('needs `cases`: a list of { name, given?, when, then… }'));
  const names = new Set<string>();
  const cases = top.cases.map((raw, index) => {
    const c = readCase(raw, `${file}: cases[${index}]`);
    if (names.has(c.name)) throw new SpecUsageError(`${file}: cases[${index}]: the name "${c.name}" is used by another case`);
    names.add(c.name);
    return c;
  });
  return { file, projection: projection === undefined ? besideSpec(file) : path.resolve(dir, projection), options, cases };
}

function readCase(raw: unknown, at: string): SpecCase {
  const c = objectAt(raw, at, 'an object: { name, given?, when, then… }');
  unknownKeys(c, CASE_KEYS, at);
  if (typeof c.name !== 'string' || c.name.trim() === '') throw new SpecUsageError(`${at}: needs a "name"`);
  const where = `${at} ("${c.name}")`;
  const streamId = optionalString(c.streamId, `${where}.streamId`);
  const events = (value: unknown, key: string): SpecEvent[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw new SpecUsageError(`${where}.${key} must be a list of events: { type, data? }`);
    return value.map((event, i) => {
      const e = objectAt(event, `${where}.${key}[${i}]`, 'an event: { type, data?, streamId?, schemaVersion? }');
      // A field written beside `type` instead of under `data` would otherwise be dropped unseen.
      unknownKeys(e, SPEC_EVENT_KEYS, `${where}.${key}[${i}]`);
      return streamId !== undefined && e.streamId === undefined ? { ...e, streamId } as unknown as SpecEvent : e as unknown as SpecEvent;
    });
  };
  const when = events(c.when, 'when');
  if (when.length === 0) throw new SpecUsageError(`${where}: needs "when": the events under test`);
  const givenRecords = c.givenRecords === undefined ? [] : (Array.isArray(c.givenRecords) ? c.givenRecords : [c.givenRecords]).map((entry, i) => {
    const g = objectAt(entry, `${where}.givenRecords[${i}]`, '{ record, version?, streamId? }');
    unknownKeys(g, ['record', 'version', 'streamId'], `${where}.givenRecords[${i}]`);
    return { record: objectAt(g.record, `${where}.givenRecords[${i}].record`, 'the record, an object'), version: g.version as number | undefined, streamId: (g.streamId as string | undefined) ?? streamId };
  });
  const present = EXPECTATIONS.filter((key) => c[key] !== undefined && c[key] !== false);
  if (present.length !== 1) {
    throw new SpecUsageError(`${where}: needs exactly one of ${EXPECTATIONS.join(', ')}${present.length ? `, has ${present.join(' and ')}` : ''}`);
  }
  return { name: c.name, given: events(c.given, 'given'), givenRecords, when, expect: expectationOf(present[0], c[present[0]], where, streamId) };
}

function expectationOf(kind: typeof EXPECTATIONS[number], value: unknown, where: string, streamId: string | undefined): SpecCase['expect'] {
  switch (kind) {
    case 'then':
      return { kind, record: objectAt(value, `${where}.then`, 'the expected record, an object (thenDeleted: true for none)'), streamId };
    case 'thenRecords': {
      const records = objectAt(value, `${where}.thenRecords`, 'an object of stream id to record (null for none)');
      for (const [id, record] of Object.entries(records)) if (record !== null) objectAt(record, `${where}.thenRecords["${id}"]`, 'a record or null');
      return { kind, records: records as Record<string, SpecRecord | null> };
    }
    case 'thenDeleted':
    case 'thenUnchanged':
      if (value !== true) throw new SpecUsageError(`${where}.${kind} must be true`);
      return { kind, streamId };
    case 'thenFails':
      if (value === true) return { kind };
      if (typeof value === 'string' && value.length > 0) return { kind, pattern: value };
      if (typeof value === 'object' && value !== null && typeof (value as { matches?: unknown }).matches === 'string') {
        const source = (value as { matches: string }).matches;
        try {
          return { kind, pattern: new RegExp(source) };
        } catch (err) {
          throw new SpecUsageError(`${where}.thenFails.matches is not a regular expression: ${(err as Error).message}`);
        }
      }
      throw new SpecUsageError(`${where}.thenFails must be true, a text the error message contains, or { matches: "regular expression" }`);
  }
}

/** `summary.spec.yaml` → `summary.ts` (or .mts, .cts, .js, .mjs, .cjs) in the same folder. */
function besideSpec(file: string): string | undefined {
  const base = path.resolve(file).replace(SPEC_FILE, '');
  return PROJECTION_EXTENSIONS.map((ext) => base + ext).find((candidate) => fs.existsSync(candidate));
}

function objectAt(value: unknown, at: string, expected: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SpecUsageError(`${at} must be ${expected}`);
  return value as Record<string, unknown>;
}

function optionalString(value: unknown, at: string): string | undefined {
  if (value !== undefined && (typeof value !== 'string' || value.length === 0)) throw new SpecUsageError(`${at} must be a non-empty string`);
  return value as string | undefined;
}

function unknownKeys(value: Record<string, unknown>, known: readonly string[], at: string): void {
  const unknown = Object.keys(value).find((key) => !known.includes(key));
  if (unknown !== undefined) throw new SpecUsageError(`${at}: unknown key "${unknown}" (known: ${known.join(', ')})`);
}
