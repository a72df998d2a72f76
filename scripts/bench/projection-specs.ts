/**
 * How long the projection test kit takes (issue 26's goals: a spec of 1,000 events under 1 s, 100
 * specs of 10 events under 2 s), through the kit as users import it (`cdk-event-sourced-api/testing`,
 * the bundled assets/projection-spec), on the example's summary projection loaded from its
 * TypeScript file (loading it, in a fresh process, is a row of its own). Also a spec file of 100
 * such cases, in process (`runSpecFile`, what the CLI's `test` runs) and through
 * `ProjectionSpecs.verify` (what Python and Java tests call: a child Node process that loads the
 * kit and bundles the projection each time).
 *
 * Run alone: `npx ts-node --project tsconfig.dev.json scripts/bench/projection-specs.ts`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ProjectionSpecs } from '../../src';
import { projectionSpec, runSpecFile, type SpecEvent } from '../../src/testing';
import { testKitFile } from '../../src/testing/kit';

const SUMMARY = path.join(__dirname, '..', '..', 'examples', 'typescript', 'projections', 'summary.ts');

export interface ProjectionSpecFigure {
  readonly what: string;
  /** The first run in this process (it also pays for loading the code it runs). */
  readonly firstMs: number;
  /** The median of the runs after it, or undefined when measured once. */
  readonly medianMs?: number;
  readonly runs: number;
}

const registered: SpecEvent = { type: 'CustomerRegistered', data: { name: 'Ada' } };
const order = (i: number): SpecEvent => ({ type: 'OrderPlaced', data: { amountCents: i } });
const orders = (n: number) => Array.from({ length: n }, (_, i) => order(i));
const expected = (n: number) => ({ orders: n, totalCents: (n * (n - 1)) / 2, lastOrderAt: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString() });

/** A spec of `events` events: one given, the rest under test, and the record compared as GET answers it. */
async function oneSpec(spec: ReturnType<typeof projectionSpec>, events: number, streamId?: string): Promise<void> {
  const at = (e: SpecEvent) => (streamId ? { ...e, streamId } : e);
  await spec.given(at(registered)).when(...orders(events - 1).map(at)).then(expected(events - 1));
}

async function timed(run: () => Promise<unknown> | unknown): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

async function measure(what: string, runs: number, run: () => Promise<unknown> | unknown): Promise<ProjectionSpecFigure> {
  const firstMs = await timed(run);
  const rest: number[] = [];
  for (let i = 1; i < runs; i++) rest.push(await timed(run));
  rest.sort((a, b) => a - b);
  return { what, firstMs, medianMs: rest.length ? rest[Math.floor(rest.length / 2)] : undefined, runs };
}

/** A spec file of `cases` cases of 10 events each, beside a copy of nothing: it names the projection. */
function writeSpecFile(dir: string, cases: number): string {
  const file = path.join(dir, 'summary.spec.json');
  fs.writeFileSync(file, JSON.stringify({
    projection: SUMMARY,
    cases: Array.from({ length: cases }, (_, c) => ({ name: `case ${c + 1}`, given: [registered], when: orders(9), then: expected(9) })),
  }));
  return file;
}

/**
 * Loading the projection in a fresh Node process, as a test file's first spec does: the kit, then
 * esbuild-wasm's start and the bundling (in this process, synth may have started esbuild-wasm already).
 */
function coldLoadMs(): number {
  const script = `const kit = require(${JSON.stringify(testKitFile())});
const { performance } = require('node:perf_hooks');
const started = performance.now();
kit.projectionSpec(${JSON.stringify(SUMMARY)});
process.stdout.write(String(performance.now() - started));`;
  return Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
}

export async function measureProjectionSpecs(runs = 5): Promise<ProjectionSpecFigure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'es-api-bench-specs-'));
  try {
    const [first, ...rest] = Array.from({ length: 4 }, coldLoadMs);
    rest.sort((a, b) => a - b);
    const figures: ProjectionSpecFigure[] = [
      { what: 'loading summary.ts in a fresh process (esbuild-wasm starts and bundles it)', firstMs: first, medianMs: rest[1], runs: 4 },
    ];
    const spec = projectionSpec(SUMMARY);
    figures.push(await measure('a spec of 1,000 events', runs, () => oneSpec(spec, 1000)));
    figures.push(await measure('100 specs of 10 events', runs, async () => {
      for (let i = 0; i < 100; i++) await oneSpec(spec, 10, `stream-${i}`);
    }));
    const file = writeSpecFile(dir, 100);
    const check = (result: { passed: boolean }) => {
      if (!result.passed) throw new Error(`the benchmark's spec file failed: ${JSON.stringify(result)}`);
    };
    figures.push(await measure('a spec file of 100 cases of 10 events, runSpecFile', runs, async () => check(await runSpecFile(file))));
    figures.push(await measure('the same file through ProjectionSpecs.verify (a child Node process)', Math.min(runs, 3), () => check(ProjectionSpecs.verify(SUMMARY, file))));
    return figures;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void measureProjectionSpecs().then((figures) => {
    for (const f of figures) console.log(`${f.what}: first ${f.firstMs.toFixed(1)} ms${f.medianMs === undefined ? '' : `, median of the next ${f.runs - 1} ${f.medianMs.toFixed(1)} ms`}`);
  });
}
