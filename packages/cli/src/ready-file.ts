/**
 * `local --ready-file <path>`: the running runtime's URLs as JSON, for a test in any language to
 * read instead of parsing the CLI's output. Written whole or not at all (a temp file renamed into
 * place), so a reader polling for it never sees half of it; removed when the runtime stops.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ReadyFile {
  /** The first (usually the only) API's URL. */
  readonly url: string;
  /** What the operator commands take as `--local`, `wait-idle` included. */
  readonly operatorUrl: string;
  /** Every API: its construct path (the operator commands' `--api`), URL and views. */
  readonly apis: Array<{ readonly path: string; readonly url: string; readonly views: string[] }>;
  /** The CLI's process, to signal (SIGINT or SIGTERM stop it cleanly). */
  readonly pid: number;
}

interface RunningApi {
  readonly url: string;
  readonly definition: { readonly owner: string; readonly views: ReadonlyArray<{ readonly name: string }> };
}

interface Runtime {
  readonly url: string;
  readonly operatorUrl: string;
  readonly apis: readonly RunningApi[];
}

export function readyFileContent(runtime: Runtime, pid = process.pid): ReadyFile {
  return {
    url: runtime.url,
    operatorUrl: runtime.operatorUrl,
    apis: runtime.apis.map(({ url, definition }) => ({ path: definition.owner, url, views: definition.views.map((v) => v.name) })),
    pid,
  };
}

/** Writes `content` to `file` atomically: a rename within one folder replaces it in one step. */
export function writeReadyFile(file: string, content: ReadyFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(temp, `${JSON.stringify(content, null, 2)}\n`);
  fs.renameSync(temp, file);
}

/** Removes the file, if there is one (a stale one from a run that was killed, say). */
export function removeReadyFile(file: string): void {
  fs.rmSync(file, { force: true });
}
