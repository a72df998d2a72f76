import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { assetDir } from './assets';
import { generatedCode } from './generated-code';

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

/** The writer's code with the schemas beside it: a folder of its own for this API. */
export function writerCodeWithSchemas(schemas: Record<string, unknown>): { code: lambda.Code; file: string } {
  const files: Record<string, Buffer | string> = {
    'index.js': fs.readFileSync(path.join(assetDir('writer'), 'index.js')),
    // The writer loads the schema compiler from beside its code (lambda-src/writer/index.ts).
    'event-schemas.js': fs.readFileSync(path.join(assetDir('event-schemas'), 'index.js')),
    [EVENT_SCHEMAS_FILE]: JSON.stringify(schemas),
  };
  const hash = createHash('sha256');
  for (const name of Object.keys(files).sort()) hash.update(name).update('\0').update(files[name]).update('\0');
  return { code: generatedCode(assetDir('writer'), files, hash.digest('hex')), file: EVENT_SCHEMAS_FILE };
}
