import fc from 'fast-check';
import { log, metricFields, stopwatch, type Level } from '../../../lambda-src/core/log';
import { ENV } from '../../../src/contract';
import { runs } from '../../support/arbitraries';
import { captureLogs, type CapturedLogs } from '../../support/local-dynamo';

const LEVELS: Level[] = ['debug', 'info', 'warn', 'error'];
let logs: CapturedLogs;
const saved = process.env[ENV.logLevel];

beforeEach(() => { logs = captureLogs(); });
afterEach(() => {
  logs.restore();
  if (saved === undefined) delete process.env[ENV.logLevel];
  else process.env[ENV.logLevel] = saved;
});

test('a line is written when its level is at or above LOG_LEVEL (INFO when unset or unknown), and always when it carries metrics', () => {
  const setting = fc.option(fc.constantFrom('DEBUG', 'INFO', 'WARN', 'ERROR', 'debug', 'Warn', 'TRACE', ''), { nil: undefined });
  fc.assert(fc.property(setting, fc.constantFrom(...LEVELS), fc.boolean(), (configured, level, withMetrics) => {
    if (configured === undefined) delete process.env[ENV.logLevel];
    else process.env[ENV.logLevel] = configured;
    logs.lines.length = 0;
    const fields = withMetrics ? metricFields({ Api: 't' }, { Appends: 1 }) : { streamId: 's' };
    log(level, 'the message', fields);

    const known = LEVELS.indexOf((configured ?? '').toLowerCase() as Level);
    const threshold = known >= 0 ? known : LEVELS.indexOf('info');
    const written = LEVELS.indexOf(level) >= threshold || withMetrics;
    expect(logs.lines).toEqual(written ? [{ level, message: 'the message', ...JSON.parse(JSON.stringify(fields)) }] : []);
  }), runs(200));
});

test('stopwatch gives the milliseconds since it started, to a tenth', async () => {
  const elapsed = stopwatch();
  await new Promise((resolve) => setTimeout(resolve, 25));
  const ms = elapsed();
  expect(ms).toBeGreaterThanOrEqual(24);
  expect(ms).toBeLessThan(2000);
  expect(Math.round(ms * 10)).toBeCloseTo(ms * 10, 6);
});
