import { performance } from 'node:perf_hooks';
import { specOf } from './projection-spec';
import { specContext } from './spec-context';
import { SpecUsageError } from './spec-events';
import { readSpecFile, type SpecCase } from './spec-file';
import type { ProjectionSpecOptions, SpecExpectation, SpecScenario } from '../../src/testing/types';
import { messageOf } from '../core/describe-value';

/** One case's result; `message` (the diff, or the error) when it failed. */
export interface SpecCaseResult {
  readonly name: string;
  readonly passed: boolean;
  readonly message?: string;
  readonly durationMs: number;
}

export interface SpecFileResult {
  readonly file: string;
  /** The projection module it ran, when it found one. */
  readonly projection?: string;
  readonly passed: boolean;
  /** The cases; a file that cannot run (bad YAML, no projection) has one failed case named `(spec file)`. */
  readonly cases: readonly SpecCaseResult[];
}

/** Settings that take precedence over the spec file's own (the projection entry, the API's options). */
export interface SpecFileOverrides extends ProjectionSpecOptions {
  readonly projection?: string | object;
}

/** Runs every case of a spec file; never throws: a file that cannot run is a failed result. */
export async function runSpecFile(file: string, overrides: SpecFileOverrides = {}): Promise<SpecFileResult> {
  const started = performance.now();
  let projection: string | object | undefined;
  try {
    const doc = readSpecFile(file);
    projection = overrides.projection ?? doc.projection;
    if (projection === undefined) {
      throw new SpecUsageError(`${file}: names no projection, and no projection module named like it is beside it (${file.replace(/\.spec\.[a-z]+$/, '.ts')})`);
    }
    const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
    const { projection: _, ...options } = overrides;
    const spec = specOf(specContext(projection, { ...defined(doc.options), ...defined(options) }));
    const cases: SpecCaseResult[] = [];
    for (const c of doc.cases) cases.push(await runCase(spec, c));
    return { file, projection: typeof projection === 'string' ? projection : undefined, passed: cases.every((c) => c.passed), cases };
  } catch (error) {
    return {
      file,
      projection: typeof projection === 'string' ? projection : undefined,
      passed: false,
      cases: [{ name: '(spec file)', passed: false, message: messageOf(error), durationMs: performance.now() - started }],
    };
  }
}

async function runCase(spec: SpecScenario, c: SpecCase): Promise<SpecCaseResult> {
  const started = performance.now();
  try {
    let scenario = spec;
    for (const { record, ...options } of c.givenRecords) scenario = scenario.givenRecord(record, options);
    if (c.given.length > 0) scenario = scenario.given(...c.given);
    await expect(scenario.when(...c.when), c.expect);
    return { name: c.name, passed: true, durationMs: performance.now() - started };
  } catch (error) {
    return { name: c.name, passed: false, message: messageOf(error), durationMs: performance.now() - started };
  }
}

function expect(expectation: SpecExpectation, e: SpecCase['expect']): Promise<void> {
  switch (e.kind) {
    case 'then': return expectation.then(e.record, e.streamId);
    case 'thenRecords': return expectation.thenRecords(e.records);
    case 'thenDeleted': return expectation.thenDeleted(e.streamId);
    case 'thenUnchanged': return expectation.thenUnchanged(e.streamId);
    case 'thenFails': return expectation.thenFails(e.pattern);
  }
}
