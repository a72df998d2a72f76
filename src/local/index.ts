/**
 * The local runtime: `import { LocalRuntime } from 'cdk-event-sourced-api/lib/local'`.
 * Not part of the jsii API (it is a Node.js tool, used from tests and the CLI).
 */
export { LocalRuntime } from './local-runtime';
export type { LocalRuntimeOptions, LocalApi, DeadLetter } from './local-runtime';
export { readCloudAssembly } from './cloud-assembly';
export type { ApiDefinition } from './cloud-assembly';
export type { StreamFailureRecord } from './stream-poller';
export type { ChaosOptions } from './chaos';
