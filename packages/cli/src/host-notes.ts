import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiDefinition, functionsOf } from './cloud-assembly';
import { FunctionNode } from './function-node';

export interface Host {
  /** process.versions.node */
  readonly nodeVersion: string;
  /** The Node each Lambda runtime of the template runs on here (findFunctionNode); none found: absent. */
  readonly functionNodes: Readonly<Record<string, FunctionNode | undefined>>;
  /** new Date().getTimezoneOffset() */
  readonly timezoneOffsetMinutes: number;
  /** The node_modules folder the functions resolve the AWS SDK from. */
  readonly sdkNodePath: string;
}

/**
 * Where running here differs from running on Lambda, said once at start: the Node the functions
 * run on (Lambda's runtime's major, when one is found), the clock's timezone (Lambda's is UTC;
 * only worker threads share this process's), and the AWS SDK the functions load (Lambda's runtimes
 * bring their own v3 release, which varies by runtime and region:
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html#nodejs-sdk-included).
 */
export function hostNotes(definitions: ApiDefinition[], host: Host): string[] {
  const notes: string[] = [];
  const runtimes = new Set(definitions.flatMap(functionsOf).map((fn) => fn.runtime).filter((r): r is string => typeof r === 'string'));
  let inThreads = runtimes.size === 0;
  for (const runtime of runtimes) {
    const major = /^nodejs(\d+)/.exec(runtime)?.[1];
    const node = host.functionNodes[runtime];
    inThreads ||= !node?.binary;
    if (node?.binary) {
      notes.push(`the ${runtime} functions run on Node ${node.version} (${node.binary}), each in a child process.`);
    } else if (node) {
      notes.push(`the ${runtime} functions run on Node ${node.version}, this process's, each in a worker thread.`);
    } else if (major) {
      notes.push(`warning: the functions run on Node ${host.nodeVersion} here; on Lambda they run on ${runtime} (Node ${major}). ` +
        `To run them on Node ${major}, install it beside the app: npm install --save-dev node@${major}`);
    }
  }
  if (inThreads && host.timezoneOffsetMinutes !== 0) {
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
