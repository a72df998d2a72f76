import * as fs from 'node:fs';
import * as path from 'node:path';

/** What the lock file says about the runtime that holds a data folder. */
export interface DataLockHolder {
  readonly pid: number;
  readonly startedAt: string;
  /** The first API's URL and the operator URL, once the holder has started. */
  readonly url?: string;
  readonly operatorUrl?: string;
}

const LOCK_FILE = 'runtime.lock';

/**
 * A data folder used by one runtime at a time: two DynamoDB Locals on the same files, and two sets
 * of pollers on the same queue state, lose events. The lock file is created atomically (`wx`) and
 * names its holder; a lock whose process is gone (killed, crashed) is taken over.
 */
export class DataLock {
  /** Takes the folder's lock, or throws naming the runtime that holds it. */
  public static acquire(dataDir: string, log: (line: string) => void): DataLock {
    const file = path.join(dataDir, LOCK_FILE);
    const holder: DataLockHolder = { pid: process.pid, startedAt: new Date().toISOString() };
    for (let attempt = 0; ; attempt++) {
      try {
        const fd = fs.openSync(file, 'wx');
        try {
          fs.writeSync(fd, JSON.stringify(holder));
        } finally {
          fs.closeSync(fd);
        }
        return new DataLock(dataDir, file, holder);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const held = readHolder(file);
      // Taken over once: if another runtime took it over meanwhile, it is that one's now.
      if (held && attempt === 0 && !isRunning(held.pid)) {
        log(`[local] ${dataDir} was locked by process ${held.pid}, which is no longer running: taking the lock over`);
        fs.rmSync(file, { force: true });
        continue;
      }
      throw new Error(held
        ? `${dataDir} is in use by another local runtime (process ${held.pid}${held.url ? `, ${held.url}` : ', starting'}${held.operatorUrl ? `, operator URL ${held.operatorUrl}` : ''}, ` +
          `since ${held.startedAt}): stop it first, or use another data folder`
        : `${dataDir} is locked by ${file}, which cannot be read: if no local runtime uses this folder, delete that file`);
    }
  }

  private readonly released: () => void;

  private constructor(readonly dataDir: string, private readonly file: string, private holder: DataLockHolder) {
    // A process that exits without stop() (an uncaught error, process.exit) leaves no lock behind.
    this.released = () => this.release();
    process.once('exit', this.released);
  }

  /** Says where the holder answers, for a runtime refused this folder. */
  public started(url: string, operatorUrl: string): void {
    this.holder = { ...this.holder, url, operatorUrl };
    fs.writeFileSync(`${this.file}.tmp`, JSON.stringify(this.holder));
    fs.renameSync(`${this.file}.tmp`, this.file);
  }

  public release(): void {
    process.removeListener('exit', this.released);
    // Only our own: never a lock another runtime took over.
    const held = readHolder(this.file);
    if (held?.pid === this.holder.pid && held.startedAt === this.holder.startedAt) fs.rmSync(this.file, { force: true });
  }
}

function readHolder(file: string): DataLockHolder | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<DataLockHolder>;
    return typeof parsed.pid === 'number' && typeof parsed.startedAt === 'string' ? parsed as DataLockHolder : undefined;
  } catch {
    return undefined;
  }
}

/** Signal 0 checks that a process exists without touching it; EPERM means it exists as another user's. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
