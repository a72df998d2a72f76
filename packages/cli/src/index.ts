/**
 * The CLI package's API: `import { LocalRuntime } from 'cdk-event-sourced-api-cli'`, the local
 * runtime for an app's own tests (the CLI's `local` command runs the same).
 */
export { LocalRuntime } from './local-runtime';
export type { LocalRuntimeOptions, LocalApi, DeadLetter } from './local-runtime';
export { readCloudAssembly } from './cloud-assembly';
export type { ApiDefinition } from './cloud-assembly';
export type { StreamFailureRecord } from './stream-poller';
export type { ChaosOptions } from './chaos';
