/**
 * One runtime per data folder: a second one started on it refuses, naming the first; a lock left by
 * a process that is gone is taken over. The runtimes here keep their store in the folder, so they
 * start a DynamoDB Local of their own on it.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  append, HttpClient, removeTempDirs, startLocalApp, tempDir, VERSION_LOG_PROJECTION, writeProjection,
} from '../../../test/support/local-app';
import { DataLock } from '../src/data-lock';

afterAll(() => removeTempDirs());

/** The PID of a process that has exited (a `node -e` that did nothing). */
function exitedPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('the lock of a data folder', () => {
  test('a second lock on a held folder is refused with the holder\'s PID and URLs; released, the folder can be locked again', () => {
    const dataDir = tempDir('es-local-lock-');
    const first = DataLock.acquire(dataDir, () => {});
    expect(() => DataLock.acquire(dataDir, () => {})).toThrow(`${dataDir} is in use by another local runtime (process ${process.pid}, starting`);
    first.started('http://127.0.0.1:4321', 'http://127.0.0.1:4322');
    expect(() => DataLock.acquire(dataDir, () => {}))
      .toThrow(new RegExp(`^${dataDir} is in use by another local runtime \\(process ${process.pid}, http://127\\.0\\.0\\.1:4321, operator URL http://127\\.0\\.0\\.1:4322, since .*\\): stop it first, or use another data folder$`));
    first.release();
    expect(fs.readdirSync(dataDir)).toEqual([]);
    DataLock.acquire(dataDir, () => {}).release();
  });

  test('a lock left by a process that is no longer running is taken over, and the log says so', () => {
    const dataDir = tempDir('es-local-lock-');
    const pid = exitedPid();
    fs.writeFileSync(path.join(dataDir, 'runtime.lock'), JSON.stringify({ pid, startedAt: '2026-01-01T00:00:00.000Z', url: 'http://127.0.0.1:9' }));
    const logs: string[] = [];
    const lock = DataLock.acquire(dataDir, (line) => logs.push(line));
    expect(logs).toEqual([`[local] ${dataDir} was locked by process ${pid}, which is no longer running: taking the lock over`]);
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'runtime.lock'), 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
  });

  test('a lock file that cannot be read is not taken over: the error says which file to delete', () => {
    const dataDir = tempDir('es-local-lock-');
    fs.writeFileSync(path.join(dataDir, 'runtime.lock'), '');
    expect(() => DataLock.acquire(dataDir, () => {}))
      .toThrow(`${dataDir} is locked by ${path.join(dataDir, 'runtime.lock')}, which cannot be read: if no local runtime uses this folder, delete that file`);
  });
});

describe('the lock and its process', () => {
  const ROOT = path.join(__dirname, '..', '..', '..');
  /** A node process that locks `dataDir`, then runs `then` (JavaScript). */
  const locker = (dataDir: string, then: string) => {
    const source = `require(${JSON.stringify(path.join(ROOT, 'packages', 'cli', 'src', 'data-lock.ts'))}).DataLock.acquire(${JSON.stringify(dataDir)}, () => {}); ${then}`;
    return spawn(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), '-e', source],
      { env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.dev.json') }, stdio: ['ignore', 'pipe', 'inherit'] });
  };
  const exitOf = (child: ChildProcess) => new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  test('a process that exits without releasing (process.exit) leaves no lock', async () => {
    const dataDir = tempDir('es-local-lock-');
    expect(await exitOf(locker(dataDir, 'process.exit(0);'))).toBe(0);
    expect(fs.readdirSync(dataDir)).toEqual([]);
  }, 60_000);

  test('a process killed (SIGKILL) leaves its lock, and the next one takes it over', async () => {
    const dataDir = tempDir('es-local-lock-');
    const child = locker(dataDir, 'console.log("locked"); setInterval(() => {}, 1000);');
    await new Promise((resolve) => child.stdout!.once('data', resolve));
    expect(() => DataLock.acquire(dataDir, () => {})).toThrow(`is in use by another local runtime (process ${child.pid}, starting`);
    child.kill('SIGKILL');
    await exitOf(child);
    const logs: string[] = [];
    DataLock.acquire(dataDir, (line) => logs.push(line)).release();
    expect(logs).toEqual([`[local] ${dataDir} was locked by process ${child.pid}, which is no longer running: taking the lock over`]);
  }, 60_000);
});

describe('two runtimes on one data folder', () => {
  const sharedStore = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  beforeAll(() => { delete process.env.AWS_ENDPOINT_URL_DYNAMODB; });
  afterAll(() => { process.env.AWS_ENDPOINT_URL_DYNAMODB = sharedStore; });

  test('the second refuses, naming the first one\'s PID and URLs; the first keeps serving, and its lock goes at stop', async () => {
    const dataDir = tempDir('es-local-data-');
    const props = { projections: [{ name: 'ledger', entry: writeProjection(tempDir(), 'ledger', VERSION_LOG_PROJECTION) }] };
    const first = await startLocalApp({ props, runtime: { dataDir } });
    try {
      const refused = await startLocalApp({ props, runtime: { dataDir } }).then(() => 'started', (err: Error) => err.message);
      expect(refused).toContain(`${dataDir} is in use by another local runtime (process ${process.pid}, ${first.runtime.url}, operator URL ${first.runtime.operatorUrl}, since `);
      // The refused one touched nothing of the first's.
      expect(fs.readFileSync(path.join(dataDir, 'operator-url'), 'utf8')).toBe(first.runtime.operatorUrl);
      await append(first.client, { type: 'Created', id: 'lock-1' });
      await first.runtime.waitUntilIdle();
      expect((await first.client.get('/ledger/lock-1')).json).toMatchObject({ id: 'lock-1', version: 1 });
    } finally {
      await first.runtime.stop();
    }
    expect(fs.existsSync(path.join(dataDir, 'runtime.lock'))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'operator-url'))).toBe(false);
    // The next run has the folder, and the event.
    const next = await startLocalApp({ props, runtime: { dataDir } });
    try {
      expect((await new HttpClient(next.runtime.url).get('/ledger/lock-1')).json).toMatchObject({ id: 'lock-1', version: 1 });
    } finally {
      await next.runtime.stop();
    }
  }, 120_000);
});
