/**
 * A Markdown walkthrough as a script, so that a test runs the very lines a reader copies. Each
 * fenced block that a test runs follows an HTML comment (invisible once rendered):
 *
 *   <!-- from-scratch:run -->            shell lines, run in order in one shell
 *   <!-- from-scratch:file bin/app.ts --> a file's content, written where the shell is then
 *   <!-- from-scratch:start -->          the one command that starts the local runtime
 *   <!-- from-scratch:try -->            curl lines to run against it, one command a line
 *
 * `run` and `file` blocks make one script, in the page's order, as a reader typing in one
 * terminal would (a `cd` holds for what follows).
 */

/**
 * The npm packages this repository builds, by the name the walkthrough installs them with, and
 * the one whose bin the `start` block runs.
 */
export const OWN_PACKAGES = ['cdk-event-sourced-api', 'cdk-event-sourced-api-cli'];
export const CLI = { package: 'cdk-event-sourced-api-cli', bin: 'cdk-event-sourced-api' };

export interface Walkthrough {
  /** The `run` and `file` blocks as one bash script; it ends in the folder the app is in. */
  readonly setup: string;
  /** The command of the `start` block. */
  readonly start: string;
  /** The commands of the `try` block. */
  readonly tryLines: string[];
}

interface Block {
  readonly kind: string;
  readonly argument?: string;
  readonly body: string;
}

const TAG = /<!--\s*from-scratch:(\S+?)(?:\s+(\S+))?\s*-->/g;
const TAGGED_BLOCK = /<!--\s*from-scratch:(\S+?)(?:\s+(\S+))?\s*-->[ \t]*\n[ \t]*\n?```[^\n]*\n([\s\S]*?)^```[ \t]*$/gm;

function blocks(markdown: string): Block[] {
  const found = [...markdown.matchAll(TAGGED_BLOCK)].map((m) => ({ kind: m[1], argument: m[2], body: m[3] }));
  const tags = [...markdown.matchAll(TAG)].length;
  if (found.length !== tags) throw new Error(`${tags - found.length} from-scratch comment(s) not followed by a fenced block`);
  return found;
}

/** Shell lines as commands: a line ending in `\` goes on with the next one. */
export function commands(shell: string): string[] {
  return shell.replace(/\\\n\s*/g, '').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
}

/**
 * `npm install` commands with each package this repository builds replaced by its packed
 * tarball (a name, with or without `@version`); every other command as it is.
 */
export function installFromTarballs(command: string, tarballs: Record<string, string>): string {
  if (!/^npm (install|i|add)\b/.test(command)) return command;
  return command.split(/\s+/).map((word) => {
    const name = word.replace(/(.)@.*$/, '$1');
    return tarballs[name] ? `'${tarballs[name]}'` : word;
  }).join(' ');
}

function heredoc(file: string, body: string): string {
  if (body.includes('\nFROM_SCRATCH_EOF\n')) throw new Error(`${file} holds the heredoc's end marker`);
  const dir = file.includes('/') ? `mkdir -p '${file.slice(0, file.lastIndexOf('/'))}' && ` : '';
  return `${dir}cat > '${file}' <<'FROM_SCRATCH_EOF'\n${body}FROM_SCRATCH_EOF`;
}

/** The walkthrough of a page; `tarballs` maps the packages this repository builds to their packed files. */
export function walkthrough(markdown: string, tarballs: Record<string, string>): Walkthrough {
  const all = blocks(markdown);
  const one = (kind: string) => {
    const matching = all.filter((b) => b.kind === kind);
    if (matching.length !== 1) throw new Error(`expected one from-scratch:${kind} block, found ${matching.length}`);
    return matching[0];
  };
  const startCommands = commands(one('start').body);
  if (startCommands.length !== 1) throw new Error(`the from-scratch:start block must hold one command, found ${startCommands.length}`);
  const script = ['set -euo pipefail'];
  for (const block of all) {
    if (block.kind === 'run') {
      script.push(...commands(block.body).map((c) => installFromTarballs(c, tarballs)));
    } else if (block.kind === 'file') {
      if (!block.argument) throw new Error('a from-scratch:file comment names no file');
      script.push(heredoc(block.argument, block.body));
    } else if (!['start', 'try'].includes(block.kind)) {
      throw new Error(`unknown block kind from-scratch:${block.kind}`);
    }
  }
  if (script.length === 1) throw new Error('no from-scratch:run or from-scratch:file block');
  return { setup: script.join('\n') + '\n', start: startCommands[0], tryLines: commands(one('try').body) };
}
