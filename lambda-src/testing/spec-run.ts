import { performance } from 'node:perf_hooks';
import { specOf } from './projection-spec';
import { specContext } from './spec-context';
import { SpecUsageError } from './spec-events';
import { readSpecFile, type SpecCase } from './spec-file';
import type { SpecCaseResult, SpecExpectation, SpecFileOverrides, SpecFileResult, SpecScenario } from '../../src/testing/types';
import { messageOf } from '../core/describe-value';

export type { SpecCaseResult, SpecFileOverrides, SpecFileResult } from '../../src/testing/types';

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
