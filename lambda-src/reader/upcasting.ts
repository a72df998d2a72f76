import * as path from 'node:path';
import { ENV } from '../../src/contract';
import { eventVersionsFile } from '../core/event-versions-file';
import { loadUpcasting, upcastingWithout, Upcasting } from '../core/upcast';

let loaded: { readonly key: string; readonly upcasting: Upcasting } | undefined;

/**
 * The reader's upcasting for `GET /streams/{id}`: the API's event versions and upcasters module,
 * which the construct writes beside the reader's code (absolute paths in tests). Loaded once per
 * environment.
 */
export function readerUpcasting(): Upcasting {
  const key = `${process.env[ENV.eventVersions] ?? ''}\u0000${process.env[ENV.upcasters] ?? ''}`;
  if (loaded?.key !== key) loaded = { key, upcasting: load() };
  return loaded.upcasting;
}

function load(): Upcasting {
  const { versions } = eventVersionsFile(__dirname);
  const file = process.env[ENV.upcasters];
  if (!file) return Object.keys(versions).length === 0 ? Upcasting.NONE : upcastingWithout(versions);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return loadUpcasting(require(path.resolve(__dirname, file)), versions);
}
