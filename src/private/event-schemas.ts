import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { assetDir } from './assets';
import { bundleUpcasters } from './bundle-projection';
import type { EventEvolution } from './event-evolution';
import type { DeclaredEventVersions } from './event-versions';
import { generatedCode } from './generated-code';
import { ENV, EVOLUTION_FILES, type EventVersionsFile } from '../contract';

/** The file name the writer reads its schemas from (lambda-src/writer/event-schemas.ts). */
const EVENT_SCHEMAS_FILE = 'event-schemas.json';

const MAX_TYPE_LENGTH = 256;

/**
 * Synth-time checks of `eventSchemas`: plain JSON known at synth, event types the writer accepts,
 * and schemas the writer's validator compiles (strict: an unknown keyword or format is an error).
 * The writer's own compiler does the check, from its bundle, so synth and Lambda agree.
 */
export function validateEventSchemas(schemas: Record<string, unknown>): void {
  if (typeof schemas !== 'object' || schemas === null || Array.isArray(schemas)) {
    throw new Error('eventSchemas must map event types to JSON Schemas.');
  }
  const text = JSON.stringify(schemas);
  if (Token.isUnresolved(text)) throw new Error('eventSchemas must be plain JSON known at synth time; it holds a token (a value resolved at deploy time).');
  for (const [type, schema] of Object.entries(schemas)) {
    if (type.length === 0 || type.length > MAX_TYPE_LENGTH) throw new Error(`eventSchemas has an event type of ${type.length} characters; a type is 1-${MAX_TYPE_LENGTH}.`);
    if (typeof schema !== 'boolean' && (typeof schema !== 'object' || schema === null || Array.isArray(schema))) {
      throw new Error(`eventSchemas["${type}"] must be a JSON Schema (an object or a boolean).`);
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { eventSchemaProblems } = require(path.join(assetDir('event-schemas'), 'index.js')) as { eventSchemaProblems(s: Record<string, unknown>): string[] };
  const problems = eventSchemaProblems(JSON.parse(text));
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

/** Synth-time check of the schemas `eventVersions` declares, by the writer's own compiler. */
export function validateVersionSchemas(declared: DeclaredEventVersions): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { eventSchemaProblems } = require(path.join(assetDir('event-schemas'), 'index.js')) as {
    eventSchemaProblems(s: Record<string, unknown>, older?: Record<string, Record<string, unknown>>): string[];
  };
  const problems = eventSchemaProblems(JSON.parse(JSON.stringify(declared.currentSchemas)), JSON.parse(JSON.stringify(declared.olderSchemas)));
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

/** Lambda code made at synth, and the environment that names its files. */
export interface CodeWithFiles {
  readonly code: lambda.Code;
  readonly environment: Record<string, string>;
}

/**
 * The writer's code with what it checks beside it: the current schemas (with the schema
 * compiler), and the declared event versions with their older schemas. A folder of its own for
 * this API; undefined when there is nothing to add (the prebuilt asset then serves).
 */
export function writerCode(input: { schemas?: Record<string, unknown>; evolution?: DeclaredEventVersions } | undefined): CodeWithFiles | undefined {
  if (!input) return undefined;
  const files: Record<string, Buffer | string> = { 'index.js': fs.readFileSync(path.join(assetDir('writer'), 'index.js')) };
  const environment: Record<string, string> = {};
  const older = input.evolution && Object.keys(input.evolution.olderSchemas).length > 0;
  if (input.schemas || older) {
    // The writer loads the schema compiler from beside its code (lambda-src/writer/index.ts).
    files['event-schemas.js'] = fs.readFileSync(path.join(assetDir('event-schemas'), 'index.js'));
  }
  if (input.schemas) {
    files[EVENT_SCHEMAS_FILE] = JSON.stringify(input.schemas);
    environment[ENV.eventSchemas] = EVENT_SCHEMAS_FILE;
  }
  if (input.evolution) {
    const { versions, olderSchemas } = input.evolution;
    files[EVOLUTION_FILES.versions] = JSON.stringify({ versions, olderSchemas } satisfies EventVersionsFile);
    environment[ENV.eventVersions] = EVOLUTION_FILES.versions;
  }
  return { code: generatedCode(assetDir('writer'), files, hashOf(files)), environment };
}

/**
 * The reader's code with the API's event versions and its bundled upcasters beside it, for
 * `GET /streams/{id}` (lambda-src/reader/upcasting.ts).
 */
export function readerCodeWithUpcasters(evolution: EventEvolution): CodeWithFiles {
  const files: Record<string, Buffer | string> = {
    'index.js': fs.readFileSync(path.join(assetDir('reader'), 'index.js')),
    [EVOLUTION_FILES.versions]: JSON.stringify({ versions: evolution.versions } satisfies EventVersionsFile),
  };
  const environment: Record<string, string> = { [ENV.eventVersions]: EVOLUTION_FILES.versions };
  if (evolution.upcasters !== undefined) {
    Object.assign(files, bundleUpcasters(evolution.upcasters).files);
    environment[ENV.upcasters] = EVOLUTION_FILES.upcasters;
  }
  return { code: generatedCode(assetDir('reader'), files, hashOf(files)), environment };
}

function hashOf(files: Record<string, Buffer | string>): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(files).sort()) hash.update(name).update('\0').update(files[name]).update('\0');
  return hash.digest('hex');
}
