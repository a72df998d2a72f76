import * as fs from 'node:fs';
import * as path from 'node:path';
import { ENV, type EventVersionsFile } from '../../src/contract';

let read: { readonly key: string; readonly file: EventVersionsFile } | undefined;

/**
 * The API's event versions, read once per environment from the file ENV.eventVersions names,
 * beside the function's code (an absolute path in tests); none declared without it.
 */
export function eventVersionsFile(dir: string): EventVersionsFile {
  const name = process.env[ENV.eventVersions] ?? '';
  const key = `${dir}\u0000${name}`;
  if (read?.key !== key) {
    const file = name === '' ? { versions: {} } : JSON.parse(fs.readFileSync(path.resolve(dir, name), 'utf8')) as EventVersionsFile;
    read = { key, file };
  }
  return read.file;
}
