/**
 * Synth time and CloudFormation resource count of an EventSourcedApi with N views, and of the
 * hand-written aws-cdk-lib equivalent, each in a fresh App (bundling of the projections included
 * for the construct; the hand-written app has inline code and nothing to bundle). CDK's own
 * 500-resource check is turned off so that a stack over CloudFormation's limit is counted, not
 * refused: the table says which would not deploy.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { App, Stack } from 'aws-cdk-lib';
import { handWrittenStack } from './hand-written';
import { EventSourcedApi } from '../../src';

export interface SynthFigure {
  readonly what: string;
  readonly views: number;
  /** Resources in the API's own stack. */
  readonly resources: number;
  /** Resources in the largest nested stack, when views are in nested stacks. */
  readonly largestNested?: number;
  readonly synthMs: number;
}

const ENTRY = path.join(__dirname, '..', '..', 'examples', 'typescript', 'projections', 'default.ts');

function synthesize(what: string, views: number, build: (stack: Stack) => void): SynthFigure {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'es-api-bench-synth-'));
  try {
    const started = performance.now();
    // CDK's 500-resource check is off, so a stack past CloudFormation's limit is still counted.
    const app = new App({ outdir, context: { '@aws-cdk/core:stackResourceLimit': 0 } });
    const stack = new Stack(app, 'Bench');
    build(stack);
    const template = app.synth().getStackByName(stack.stackName).template as { Resources: object };
    const synthMs = performance.now() - started;
    const nested = fs.readdirSync(outdir).filter((f) => f.endsWith('.nested.template.json'))
      .map((f) => Object.keys((JSON.parse(fs.readFileSync(path.join(outdir, f), 'utf8')) as { Resources: object }).Resources).length);
    const largestNested = nested.length ? Math.max(...nested) : undefined;
    return { what, views, resources: Object.keys(template.Resources).length, largestNested, synthMs };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * The construct with each of `viewCounts` views in its own stack, then `nestedViews` views in
 * nested stacks of `perNestedStack` each, then the hand-written equivalent.
 */
export function measureSynth(viewCounts: number[], handWrittenViews: number, nestedViews = 100, perNestedStack = 25): SynthFigure[] {
  const figures: SynthFigure[] = [];
  const projections = (count: number, nestedStack?: (i: number) => string) =>
    Array.from({ length: count }, (_, i) => ({ name: `view-${i}`, entry: ENTRY, nestedStack: nestedStack?.(i) }));
  for (const views of viewCounts) {
    figures.push(synthesize('EventSourcedApi', views, (stack) => new EventSourcedApi(stack, 'Api', { projections: projections(views) })));
  }
  figures.push(synthesize(`EventSourcedApi, nested stacks of ${perNestedStack} views`, nestedViews, (stack) => new EventSourcedApi(stack, 'Api', {
    projections: projections(nestedViews, (i) => `views-${Math.floor(i / perNestedStack)}`),
  })));
  figures.push(synthesize('hand-written aws-cdk-lib', handWrittenViews, (stack) => handWrittenStack(stack, handWrittenViews)));
  return figures;
}
