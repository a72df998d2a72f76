import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, Token } from 'aws-cdk-lib';
import { RESERVED_EVENT_FIELDS } from '../contract';

/** URL-safe, short enough for resource names, and readable in logs. */
export const PROJECTION_NAME_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;

/**
 * Kept free for routes the API will add (a stream's event history at `GET /events/{id}`, a list of
 * streams at `GET /streams`): a deployed view with one of these names would block them.
 */
export const RESERVED_VIEW_NAMES = ['events', 'streams'];

const ENTRY_EXTENSIONS = ['.ts', '.js', '.mjs', '.cjs', '.mts', '.cts'];

/** `where` names the prop in the message, e.g. `projections[2].name`. */
export function validateProjectionName(name: string, where: string): void {
  if (typeof name !== 'string' || !PROJECTION_NAME_PATTERN.test(name)) {
    throw new Error(`${where} "${name}" is invalid: use 1-40 characters of lowercase letters, digits and "-", starting with a letter (it becomes a URL path segment).`);
  }
  if (RESERVED_VIEW_NAMES.includes(name)) {
    throw new Error(`${where} "${name}" is reserved for routes the API will add (${RESERVED_VIEW_NAMES.join(', ')}); choose another name.`);
  }
}

/** A nested stack's name becomes part of a construct id and a stack name. */
export function validateNestedStackName(name: string, where: string): void {
  if (typeof name !== 'string' || !PROJECTION_NAME_PATTERN.test(name)) {
    throw new Error(`${where} "${name}" is invalid: use 1-40 characters of lowercase letters, digits and "-", starting with a letter.`);
  }
}

export function validateProjectionEntry(entry: string, where: string): void {
  if (typeof entry !== 'string' || entry.length === 0) throw new Error(`${where} is required: the path of a .ts or .js file.`);
  if (!ENTRY_EXTENSIONS.includes(path.extname(entry))) {
    throw new Error(`${where} "${entry}" must be a ${ENTRY_EXTENSIONS.join(', ')} file.`);
  }
  if (!fs.existsSync(entry)) {
    // A relative path is resolved from the current directory: say which, without repeating an absolute path.
    const from = path.isAbsolute(entry) ? '' : ` in ${process.cwd()} (a relative entry is resolved from the current directory)`;
    throw new Error(`${where} "${entry}" does not exist${from}.`);
  }
}

export function validateStreamIdField(field: string): void {
  if (typeof field !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(field)) {
    throw new Error(`streamIdField "${field}" is invalid: use 1-64 letters, digits or "_", starting with a letter or "_".`);
  }
  // `data` is a field of the 201 answer, which also carries the stream id under this name.
  const taken = [...RESERVED_EVENT_FIELDS, 'data'];
  if (taken.includes(field)) {
    throw new Error(`streamIdField "${field}" clashes with a field the event store uses (${taken.join(', ')}).`);
  }
}

/** Checks a whole number in range; tokens are left for CloudFormation to resolve. */
export function validateInteger(prop: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${prop} must be a whole number from ${min} to ${max}, got ${value}.`);
  }
}

/** A projection's numbers; `where` names a prop in the message, e.g. `projections[0].batchSize`. */
export function validateProjectionNumbers(
  definition: { batchSize?: number; maxReceiveCount?: number; memorySize?: number; version?: number }, where: (prop: string) => string,
): void {
  validateInteger(where('batchSize'), definition.batchSize, 1, 10);
  validateInteger(where('maxReceiveCount'), definition.maxReceiveCount, 1, 1000);
  validateInteger(where('memorySize'), definition.memorySize, 128, 10240);
  validateInteger(where('version'), definition.version, 1, 10000);
}

/** Lambda's limits (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). */
export function validateFunctionTuning(prop: string, tuning: { memorySize?: number; timeout?: Duration } | undefined): void {
  if (!tuning) return;
  validateInteger(`${prop}.memorySize`, tuning.memorySize, 128, 10240);
  if (tuning.timeout && !Token.isUnresolved(tuning.timeout.toSeconds({ integral: false }))) {
    const seconds = tuning.timeout.toSeconds({ integral: false });
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 900) {
      throw new Error(`${prop}.timeout must be whole seconds from 1 second to 15 minutes, got ${tuning.timeout.toHumanString()}.`);
    }
  }
}
