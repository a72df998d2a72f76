import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Annotations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { assetDir } from './assets';
import type { ProjectionBundle } from './bundle-projection';
import { CheckResult, RESULT_PREFIX } from './projection-check-protocol';
/** Loading a projection takes milliseconds; user code that takes longer at load is not ours to wait for. */
const TIMEOUT_MS = 10_000;

/** Results by bundle and folder, so a synth with many views of one file checks it once. */
const results = new Map<string, CheckResult>();

/**
 * Loads the bundled projection (what deploys) in a child Node process, where the aggregator's
 * own `loadHandlers` judges its exports, so a module the aggregator would refuse at run time (and
 * park every event) fails synth instead. A child, with a timeout, so the user's top-level code can
 * neither hang nor change synth's process. When the module cannot be loaded here (it needs an AWS
 * SDK package the Lambda runtime provides, or its top-level code fails outside Lambda), synth
 * goes on with a warning: the aggregator checks the shape again when it starts.
 *
 * @param where names the prop, e.g. `projection "orders" entry`
 */
export function checkProjectionExports(scope: Construct, where: string, entry: string, bundle: ProjectionBundle): void {
  // Named as a file beside the entry, so the packages it left external resolve as in the app.
  const filename = path.join(path.dirname(path.resolve(entry)), 'index.js');
  const key = `${bundle.hash}:${filename}`;
  let result = results.get(key);
  if (!result) {
    result = runCheck(filename, bundle.files['index.js']);
    results.set(key, result);
  }
  if (result.outcome === 'shape') throw new Error(`${where} "${entry}" ${result.finding}.`);
  if (result.outcome === 'unchecked') {
    Annotations.of(scope).addWarningV2('cdk-event-sourced-api:projection-unchecked',
      `${where} "${entry}": could not check what it exports at synth: ${result.reason}. The aggregator checks it when it starts.`);
  }
}

function runCheck(filename: string, code: string): CheckResult {
  const child = spawnSync(process.execPath, [path.join(assetDir('projection-check'), 'index.js'), filename], {
    input: code, encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, windowsHide: true,
  });
  const line = child.stdout?.split('\n').reverse().find((l) => l.startsWith(RESULT_PREFIX));
  if (line) return JSON.parse(line.slice(RESULT_PREFIX.length)) as CheckResult;
  if (child.error && (child.error as { code?: string }).code === 'ETIMEDOUT') {
    return { outcome: 'unchecked', reason: `loading it took longer than ${TIMEOUT_MS / 1000} s` };
  }
  const why = child.error ? child.error.message : child.signal ? `was killed by ${child.signal}` : `exited with code ${child.status}`;
  const stderr = child.stderr?.trim().split('\n').slice(-1)[0];
  return { outcome: 'unchecked', reason: `the process loading it ${why}${stderr ? ` (${stderr})` : ''}` };
}
