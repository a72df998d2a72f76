/**
 * The local runtime: `import { LocalRuntime } from 'cdk-event-sourced-api/lib/local'`.
 * Not part of the jsii API (it is a Node.js tool, used from tests and the CLI).
 */
export { LocalRuntime, LocalRuntimeOptions, LocalApi, DeadLetter } from './local-runtime';
export { readCloudAssembly, ApiDefinition } from './cloud-assembly';
