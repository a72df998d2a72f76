/** What the benchmark scripts share: their numeric arguments and how they run the local runtime. */
import type { LocalRuntimeOptions } from '../packages/cli/src';

// The SDK's notice about Node 20 support is noise in a benchmark's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** `--name N` from the command line, else `fallback`. */
export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/**
 * Quiet, quick polling, and no stage throttling: a benchmark polls GET far faster than API
 * Gateway's 100 rps stage limit, which would otherwise be what it measured.
 */
export const BENCHMARK_RUNTIME: Pick<LocalRuntimeOptions, 'log' | 'pollIntervalMs' | 'stageThrottling'> = {
  log: () => undefined, pollIntervalMs: 10, stageThrottling: false,
};
