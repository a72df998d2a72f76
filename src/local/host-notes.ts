import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiDefinition, functionsOf } from './cloud-assembly';

export interface Host {
  /** process.versions.node */
  readonly nodeVersion: string;
  /** new Date().getTimezoneOffset() */
  readonly timezoneOffsetMinutes: number;
  /** The node_modules folder the functions resolve the AWS SDK from. */
  readonly sdkNodePath: string;
}

/**
 * Where running here differs from running on Lambda, said once at start: the Node major version,
 * the clock's timezone (Lambda's is UTC), and the AWS SDK the functions load (Lambda's runtimes
 * bring their own v3 release, which varies by runtime and region:
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html#nodejs-sdk-included).
 */
export function hostNotes(definitions: ApiDefinition[], host: Host): string[] {
  const notes: string[] = [];
  const runtimes = new Set(definitions.flatMap(functionsOf).map((fn) => fn.runtime).filter((r): r is string => typeof r === 'string'));
  const hostMajor = host.nodeVersion.split('.')[0];
  for (const runtime of runtimes) {
    const major = /^nodejs(\d+)/.exec(runtime)?.[1];
    if (major && major !== hostMajor) {
      notes.push(`warning: the functions run on Node ${host.nodeVersion} here; on Lambda they run on ${runtime} (Node ${major}).`);
    }
  }
  if (host.timezoneOffsetMinutes !== 0) {
    notes.push(`warning: this process's clock is not UTC (offset ${-host.timezoneOffsetMinutes} min), so local Dates in the functions are not either; on Lambda they are (TZ=:UTC). Run with TZ=UTC.`);
  }
  let version = 'unknown version';
  try {
    version = JSON.parse(fs.readFileSync(path.join(host.sdkNodePath, '@aws-sdk', 'client-dynamodb', 'package.json'), 'utf8')).version;
  } catch {
    // Reported as unknown.
  }
  notes.push(`the functions load the AWS SDK for JavaScript v3 ${version} from ${host.sdkNodePath}; on Lambda, ` +
    `${[...runtimes].join(', ') || 'the runtime'} provides its own v3 release (it varies by runtime and region).`);
  return notes;
}
