/**
 * AWS's event-ruler (the engine behind EventBridge's pattern syntax, which Lambda event filtering
 * documents as its own) as a referee for packages/cli/src/event-pattern.ts: one long-lived Java process
 * (test/oracles/event-ruler) answering JSON lines, built by Maven from its pom when its build is
 * missing or older than its sources.
 */
import { ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';

const ORACLE_DIR = path.join(__dirname, '..', 'oracles', 'event-ruler');
const BUILT_CLASS = path.join(ORACLE_DIR, 'target', 'classes', 'oracle', 'EventRulerOracle.class');
const LIB_DIR = path.join(ORACLE_DIR, 'target', 'lib');

/** event-ruler's answer: whether the event matches, or why the pattern is refused. */
export interface OracleAnswer {
  readonly match?: boolean;
  readonly error?: string;
}

function newestSource(dir: string): number {
  return Math.max(...fs.readdirSync(dir, { withFileTypes: true }).map((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? newestSource(file) : fs.statSync(file).mtimeMs;
  }));
}

/** Builds the oracle (Maven, from the pom's dependencies on Maven Central) unless its build is current. */
export function buildEventRulerOracle(): void {
  const sources = Math.max(fs.statSync(path.join(ORACLE_DIR, 'pom.xml')).mtimeMs, newestSource(path.join(ORACLE_DIR, 'src')));
  const current = fs.existsSync(BUILT_CLASS) && fs.existsSync(LIB_DIR) && fs.statSync(BUILT_CLASS).mtimeMs >= sources;
  if (current) return;
  execFileSync('mvn', ['-q', '-B', '-f', path.join(ORACLE_DIR, 'pom.xml'), 'package'], { stdio: ['ignore', 'inherit', 'inherit'] });
}

export class EventRulerOracle {
  /** Starts the oracle process (building it first if needed). */
  public static start(): EventRulerOracle {
    buildEventRulerOracle();
    const classpath = [path.join(ORACLE_DIR, 'target', 'classes'), path.join(LIB_DIR, '*')].join(path.delimiter);
    return new EventRulerOracle(spawn('java', ['-cp', classpath, 'oracle.EventRulerOracle'], { stdio: 'pipe' }));
  }

  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (a: OracleAnswer) => void; reject: (e: Error) => void }>();
  /** Requests written together, once the current turn of the event loop is over. */
  private batch: string[] = [];
  private stderr = '';
  private readonly exited: Promise<void>;

  private constructor(private readonly process: ChildProcessWithoutNullStreams) {
    readline.createInterface({ input: process.stdout }).on('line', (line) => this.answer(line));
    process.stderr.on('data', (chunk) => { this.stderr += chunk; });
    this.exited = new Promise((resolve) => process.on('close', () => {
      for (const { reject } of this.waiting.values()) reject(new Error(`event-ruler oracle exited: ${this.stderr}`));
      this.waiting.clear();
      resolve();
    }));
  }

  /** event-ruler's answer for a pattern and an event, each given as JSON text (exactly what it parses). */
  public matchText(pattern: string, event: string): Promise<OracleAnswer> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      if (this.batch.length === 0) setImmediate(() => this.flush());
      this.batch.push(JSON.stringify({ id, pattern, event }));
    });
  }

  /** event-ruler's answer for a pattern and an event as JSON.stringify writes them. */
  public match(pattern: unknown, event: unknown): Promise<OracleAnswer> {
    return this.matchText(JSON.stringify(pattern), JSON.stringify(event));
  }

  public async stop(): Promise<void> {
    this.process.stdin.end();
    await this.exited;
  }

  private flush(): void {
    const lines = this.batch;
    this.batch = [];
    this.process.stdin.write(lines.join('\n') + '\n');
  }

  private answer(line: string): void {
    const answer = JSON.parse(line) as OracleAnswer & { id: number; fault?: string };
    const waiting = this.waiting.get(answer.id);
    if (!waiting) return;
    this.waiting.delete(answer.id);
    if (answer.fault !== undefined) waiting.reject(new Error(`event-ruler oracle fault: ${answer.fault}`));
    else waiting.resolve(answer.error !== undefined ? { error: answer.error } : { match: answer.match });
  }
}
