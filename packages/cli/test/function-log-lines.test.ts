/**
 * Reading the library's JSON log lines: a failure's cause, kept to the frames of the user's code
 * (mapped frames in the projection's source, not the bundle's or Node's), and a job's step.
 */
import { jsonLines, maintenanceStep, projectionFailure, thrownAt } from '../src/function-log-lines';

const codeDir = '/tmp/cdk.out/asset.abc';
const stack = [
  'Error: bad fine amount: -5',
  `    at FineCharged (${codeDir}/projections/fines.ts:3:38)`,
  `    at Ne (${codeDir}/index.js:1:4388)`,
  `    at async ${codeDir}/index.js:1:12412`,
  '    at async Promise.all (index 0)',
  '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
  `    at money (${codeDir}/lib/money.ts:9:1)`,
].join('\n');
const line = (fields: Record<string, unknown>) => JSON.stringify({ level: 'error', message: 'projection handler failed', ...fields });

test('the failure of the stream asked for, with the user\'s frames only, relative to the app', () => {
  const logs = [
    'a plain line',
    line({ streamId: 'other', error: 'Error: not this one', stack: 'Error: x' }),
    `${line({ streamId: 'book-3', error: 'Error: bad fine amount: -5\nsecond line', stack })}\n{"level":"info"}`,
  ];
  const failure = projectionFailure(logs, 'book-3', codeDir)!;
  expect(failure).toEqual({
    error: 'Error: bad fine amount: -5',
    frames: ['at FineCharged (projections/fines.ts:3:38)', 'at money (lib/money.ts:9:1)'],
  });
  expect(thrownAt(failure)).toBe(' (at projections/fines.ts:3:38)');
  expect(projectionFailure(logs, 'book-4', codeDir)).toBeUndefined();
  expect(thrownAt({ error: 'Error: x', frames: [] })).toBe('');
});

test('lines that are not JSON objects are passed over', () => {
  expect(jsonLines(['{not json', '[1,2]', 'null', '{"a":1}'])).toEqual([{ a: 1 }]);
});

test('a maintenance step is read from its line', () => {
  const step = { message: 'maintenance step done', view: 'audit', reason: 'backfill', step: 4, phase: 'done', sent: 3, checked: 3, behind: 0, pass: 1, ready: true, jobDurationMs: 1200 };
  expect(maintenanceStep(['x', JSON.stringify({ level: 'info', ...step })])).toMatchObject(step);
  expect(maintenanceStep(['x'])).toBeUndefined();
});
