/**
 * Apache Velocity 1.7, the engine API Gateway documents for mapping templates, as a referee for
 * the local renderer: the Maven module test/oracles/velocity (built here when its sources are newer
 * than its build), run as one long-lived Java process that answers JSON lines.
 */
import { ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';

const MODULE_DIR = path.join(__dirname, '..', 'oracles', 'velocity');
const CLASSES = path.join(MODULE_DIR, 'target', 'classes');
const LIB = path.join(MODULE_DIR, 'target', 'lib');

/** What a template maps, as the oracle's stand-ins for $input and $context take it. */
export interface OracleRequest {
  readonly body: string;
  readonly params?: { path?: Record<string, string>; querystring?: Record<string, string>; header?: Record<string, string> };
  /** $context's variables (requestId, requestTimeEpoch, error: {...}); responseOverride is the oracle's. */
  readonly context?: Record<string, unknown>;
}

/** Velocity's rendering, with $context.responseOverride's status and headers; or why it failed. */
export interface OracleAnswer {
  readonly output?: string;
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly error?: string;
}

export class VelocityOracle {
  /** Builds the module if stale, and starts the process. */
  public static start(): VelocityOracle {
    buildIfStale();
    return new VelocityOracle(spawn('java', ['-cp', `${CLASSES}${path.delimiter}${path.join(LIB, '*')}`, 'oracle.VelocityOracle'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    }));
  }

  private nextId = 0;
  private readonly waiting = new Map<number, (answer: OracleAnswer) => void>();
  private stderr = '';
  private exited = false;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stderr.on('data', (chunk: Buffer) => { this.stderr += chunk.toString('utf8'); });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const answer = JSON.parse(line) as OracleAnswer & { id: number };
      const resolve = this.waiting.get(answer.id);
      this.waiting.delete(answer.id);
      const { id: _id, ...rest } = answer;
      resolve?.(rest);
    });
    child.on('exit', (code) => {
      this.exited = true;
      for (const resolve of this.waiting.values()) resolve({ error: `the Velocity oracle exited (${code}): ${this.stderr.slice(0, 2000)}` });
      this.waiting.clear();
    });
  }

  /** Renders one template. */
  public async render(template: string, request: OracleRequest): Promise<OracleAnswer> {
    return (await this.renderAll([{ template, request }]))[0];
  }

  /** Renders many in one write: the process answers them in order, with no round trip each. */
  public renderAll(items: ReadonlyArray<{ template: string; request: OracleRequest }>): Promise<OracleAnswer[]> {
    if (this.exited) return Promise.reject(new Error(`the Velocity oracle is not running: ${this.stderr.slice(0, 2000)}`));
    const answers = items.map(({ template, request }) => {
      const id = this.nextId++;
      const answer = new Promise<OracleAnswer>((resolve) => this.waiting.set(id, resolve));
      return { line: JSON.stringify({ id, template, request }), answer };
    });
    this.child.stdin.write(answers.map((a) => `${a.line}\n`).join(''));
    return Promise.all(answers.map((a) => a.answer));
  }

  public async stop(): Promise<void> {
    if (this.exited) return;
    const exit = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    await exit;
  }
}

/** `mvn package` when the pom or a source is newer than the build (or there is none). */
function buildIfStale(): void {
  const newestSource = Math.max(...[path.join(MODULE_DIR, 'pom.xml'), ...files(path.join(MODULE_DIR, 'src'))].map((f) => fs.statSync(f).mtimeMs));
  const built = path.join(MODULE_DIR, 'target', 'velocity-oracle-1.jar');
  if (fs.existsSync(built) && fs.existsSync(LIB) && fs.statSync(built).mtimeMs >= newestSource) return;
  const build = spawnSync('mvn', ['-q', '-B', '-f', path.join(MODULE_DIR, 'pom.xml'), 'package'], { encoding: 'utf8' });
  if (build.error || build.status !== 0) {
    throw new Error(`could not build the Velocity oracle (mvn -q -f test/oracles/velocity/pom.xml package): ${build.error?.message ?? ''}${build.stdout}${build.stderr}`);
  }
}

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    (entry.isDirectory() ? files(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
}
