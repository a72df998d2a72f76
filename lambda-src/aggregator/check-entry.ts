/**
 * Not a handler: synth runs this in a child Node process (src/private/check-projection.ts) to load
 * a bundled projection as Lambda would, so the aggregator's own `loadHandlers` judges its exports.
 * The bundle comes on stdin; argv[2] names it (beside the entry, so packages resolve as in the app).
 * Prints its answer (src/private/projection-check-protocol.ts), then exits whatever the module left running.
 */
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import { PROJECTION_SHAPE_ERROR } from './projection-module';
import { LAMBDA_BUNDLE_OPTIONS } from '../../src/private/lambda-bundle-options';
import { RESULT_PREFIX, type CheckResult } from '../../src/private/projection-check-protocol';

interface ModuleInternals {
  _cache: Record<string, unknown>;
  _resolveFilename(request: string, ...rest: unknown[]): string;
  _nodeModulePaths(dir: string): string[];
}
const internals = Module as unknown as ModuleInternals;

/** Packages the bundle leaves to the Lambda runtime (`@aws-sdk/`, `@smithy/`). */
const runtimeProvided = LAMBDA_BUNDLE_OPTIONS.external.map((pattern) => pattern.replace(/\*$/, ''));
let usedAbsent: string | undefined;

/**
 * A package the Lambda runtime provides but synth's machine lacks (a Python app has no
 * node_modules) loads as a stand-in: importing it works, so a projection that only uses it in
 * its handlers is still checked; using it at load marks the check as impossible, not failed.
 */
function absentPackage(name: string): unknown {
  const fail = (): never => {
    usedAbsent ??= name;
    throw new Error(`${name} is provided by the Lambda runtime and is not installed here`);
  };
  const stand: object = new Proxy(function absent() {}, {
    get: (_target, prop) => (typeof prop === 'symbol' || prop === '__esModule' || prop === 'then' ? undefined : stand),
    getPrototypeOf: () => stand,
    apply: fail,
    construct: fail,
  });
  return stand;
}

const resolve = internals._resolveFilename;
internals._resolveFilename = function resolveOrStandIn(this: unknown, request: string, ...rest: unknown[]): string {
  try {
    return resolve.call(this, request, ...rest);
  } catch (err) {
    if ((err as { code?: string }).code !== 'MODULE_NOT_FOUND' || !runtimeProvided.some((p) => request.startsWith(p))) throw err;
    const id = `lambda-runtime:${request}`;
    if (!internals._cache[id]) internals._cache[id] = Object.assign(new Module(id), { loaded: true, exports: absentPackage(request) });
    return id;
  }
};

function check(filename: string, code: string): CheckResult {
  try {
    const mod = new Module(filename) as Module & { _compile(code: string, filename: string): void };
    mod.filename = filename;
    mod.paths = internals._nodeModulePaths(path.dirname(filename));
    mod._compile(code, filename);
    return { outcome: 'ok' };
  } catch (err) {
    const e = err as { code?: string; finding?: string; message?: string };
    if (e?.code === PROJECTION_SHAPE_ERROR && e.finding) return { outcome: 'shape', finding: e.finding };
    if (usedAbsent) return { outcome: 'unchecked', reason: `it uses ${usedAbsent} while loading, which the Lambda runtime provides but is not installed here` };
    return { outcome: 'unchecked', reason: `loading it threw: ${String(e?.message ?? err).split('\n')[0]}` };
  }
}

const result = check(process.argv[2], readFileSync(0, 'utf8'));
process.stdout.write(`\n${RESULT_PREFIX}${JSON.stringify(result)}\n`, () => process.exit(0));
