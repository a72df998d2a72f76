/** A typed projection, and tsc --strict over it, for the authoring types' tests. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './local-app';

const ROOT = path.join(__dirname, '..', '..');

export const TYPED_PROJECTION = `
import type { ProjectionEvent, ProjectionHandlers } from 'cdk-event-sourced-api/projection';

interface Summary { orders: number; totalCents: number; lastOrderAt?: string }

const amountOf = (event: ProjectionEvent): number => Number(event.data.amountCents);

export const handlers: ProjectionHandlers<Summary> = {
  CustomerRegistered: () => ({ orders: 0, totalCents: 0 }),
  OrderPlaced: async (view, event) => ({
    orders: (view?.orders ?? 0) + 1,
    totalCents: (view?.totalCents ?? 0) + amountOf(event),
    lastOrderAt: event.timestamp,
  }),
  CustomerForgotten: () => undefined,
};
`;

/** Runs tsc --strict on one file, with the entry point mapped to `entry`; returns its exit code and output. */
export function compileProjection(source: string, entry: string): { status: number | null; output: string } {
  const dir = tempDir('es-typed-projection-');
  fs.writeFileSync(path.join(dir, 'projection.ts'), source);
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true,
      noEmit: true,
      target: 'ES2022',
      module: 'commonjs',
      moduleResolution: 'node',
      skipLibCheck: false,
      types: [],
      baseUrl: '.',
      paths: { 'cdk-event-sourced-api/projection': [entry] },
    },
    files: ['projection.ts'],
  }));
  const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
