/**
 * `cdk-event-sourced-api spec --stream <id> --view <v> <where>`: a projection spec file recorded
 * from a real stream (a local runtime, or a deployed stack): its events, as the events table holds
 * them, and the view's record, as GET answers it. A wrong record seen in a view becomes a spec in
 * one command: edit `then:` to what it should be, and the case fails until the projection is fixed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { stringify } from 'yaml';
import { localTarget, stackTarget, type Target } from './target';
import { readEvents } from '../../../../lambda-src/aggregator/view-store';
import { toApiRecord, type ApiRecord } from '../../../../lambda-src/core/api-record';
import type { StoredEvent } from '../../../../lambda-src/core/stored-event';
import { rebuilt } from '../../../../lambda-src/reader/rebuilds';
import { DEFAULT_SCHEMA_VERSION, DEFAULTS, KEYS, type OperatorViewResources } from '../../../../src/contract';

export const SPEC_USAGE = `Usage: cdk-event-sourced-api spec --stream <id> --view <v> <where> [options]

Writes a projection spec file (YAML) from a real stream: every event the view has applied, as the
events table holds them, and the view's record as GET answers it (or thenDeleted). If the record
is wrong, write in \`then:\` what it should be: the case fails until the projection is fixed.
Run it with: cdk-event-sourced-api test <file>

Where (one of):
  --local <url>                                   a running local runtime (its operator URL)
  --stack <name> [--region <r>] [--profile <p>]   a deployed stack (AWS SDK credentials)
  --api <path>                                    the EventSourcedApi, when there are several

Options:
  --out <file>          where to write it (default: <view>.<stream>.spec.yaml here); an
                        existing file is not overwritten
  --name <text>         the case's name (default: "stream <id> as view <v> has it")
  --projection <file>   the view's projection module, written into the spec relative to it
                        (otherwise fill in \`projection:\` yourself)
  -h, --help            show this help`;

export interface SpecArgs {
  readonly stream: string;
  readonly view: string;
  readonly local?: string;
  readonly stack?: string;
  readonly region?: string;
  readonly profile?: string;
  readonly api?: string;
  readonly out?: string;
  readonly name?: string;
  readonly projection?: string;
}

const VALUED = ['--stream', '--view', '--local', '--stack', '--region', '--profile', '--api', '--out', '--name', '--projection'];

export function parseSpecArgs(argv: readonly string[]): SpecArgs | 'help' {
  const args: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return 'help';
    if (!VALUED.includes(arg)) throw new Error(`Unknown option "${arg}" for spec\n\n${SPEC_USAGE}`);
    const value = argv[++i];
    if (value === undefined || value.startsWith('--')) throw new Error(`${arg} needs a value`);
    args[arg.slice(2)] = value;
  }
  if (!args.stream) throw new Error('spec needs --stream <id>: the stream to record');
  if (!args.view) throw new Error('spec needs --view <name>: the view whose record the spec expects');
  if (Boolean(args.stack) === Boolean(args.local)) throw new Error('spec needs --stack <name> or --local <url> (one of them)');
  if (args.local && (args.region || args.profile)) throw new Error('--region and --profile go with --stack, not --local');
  return args as unknown as SpecArgs;
}

/** What a recording found: the stream's events the view has applied, and its record. */
export interface Recording {
  readonly view: OperatorViewResources;
  readonly streamIdField: string;
  /** Events 1 to the record's version. */
  readonly events: readonly StoredEvent[];
  /** The record as GET answers it; undefined when the view deleted it (its version stays). */
  readonly record?: ApiRecord;
  /** The stream's last version, when the view has not applied all of it yet. */
  readonly head: number;
  /** True when GET still answers from the previous version's table (a rebuild under way). */
  readonly rebuilding: boolean;
}

/** Reads the stream and the view's record, strongly consistent, from the target's tables. */
export async function recordStream(target: Target, streamId: string, viewName: string): Promise<Recording> {
  const view = target.api.views.find((v) => v.name === viewName);
  if (!view) throw new Error(`No view "${viewName}" in ${target.api.owner} (there are: ${target.api.views.map((v) => v.name).join(', ')})`);
  const all = await readEvents(target.dynamo, target.api.eventsTable, streamId, 1, Number.MAX_SAFE_INTEGER);
  if (all.length === 0) throw new Error(`No events in stream "${streamId}" of ${target.api.owner} in ${target.where}`);
  const head = all[all.length - 1].version;
  // The current version's table: the one the current projection code builds, which the spec runs.
  const key = { [KEYS.streamId]: { S: streamId } };
  const item = (await target.dynamo.send(new GetItemCommand({ TableName: view.table, Key: key, ConsistentRead: true }))).Item;
  if (!item) {
    throw new Error(`View ${viewName} has no record of stream "${streamId}": it has applied none of its ${all.length} event(s) yet ` +
      '(still under way, or the first one parked: status shows it)');
  }
  const applied = Number(item[KEYS.version].N);
  const streamIdField = target.api.streamIdField ?? DEFAULTS.streamIdField;
  return {
    view,
    streamIdField,
    events: all.filter((e) => e.version <= applied),
    record: item[KEYS.state] === undefined ? undefined : toApiRecord(item, streamIdField),
    head,
    rebuilding: !await rebuilt(target.dynamo, { current: view.table, previous: view.previousTable }),
  };
}

export interface SpecFileOptions {
  readonly streamId: string;
  readonly caseName?: string;
  /** The projection module, relative to the spec file. */
  readonly projection?: string;
  /** For the header: where it was recorded, and when. */
  readonly where: string;
  readonly now: Date;
}

/** The spec file's text: a header saying what it is, then the spec, events as stored. */
export function specFileText(recording: Recording, options: SpecFileOptions): string {
  const { view, events, record, head } = recording;
  const header = [
    `Recorded at ${options.now.toISOString()} by \`cdk-event-sourced-api spec\` from ${options.where}:`,
    `stream "${options.streamId}" and view ${view.name} (projection version ${view.version}).`,
    record === undefined
      ? 'The view has no record of it now (deleted): if it should have one, replace thenDeleted with then: <the record>.'
      : '`then:` is the record the view holds now: if it is wrong, write what it should be.',
  ];
  if (head > events.length) {
    header.push(`The view has applied ${events.length} of the stream's ${head} events: versions ${events.length + 1} to ${head} ` +
      'are left out (still under way, or parked: status shows it).');
  }
  if (recording.rebuilding) header.push(`GET still answers from version ${view.version}'s previous table (a rebuild under way); this is the new version's record.`);
  if (events.some((e) => e.schemaVersion !== DEFAULT_SCHEMA_VERSION)) {
    header.push('Some events are at an older schema version: add the API\'s eventVersions (and upcasters: a path relative', 'to this file) so that they are upcast as the aggregator does.');
  }
  // Not something the tables know: the view's code is a bundle. Without it, the file says what to fill in.
  if (options.projection === undefined) header.push(`projection: ./path/to/${view.name}.ts   <- fill in the view's projection module (relative to this file)`);
  const spec = {
    ...(options.projection === undefined ? {} : { projection: options.projection }),
    ...(recording.streamIdField === DEFAULTS.streamIdField ? {} : { streamIdField: recording.streamIdField }),
    streamId: options.streamId,
    cases: [{
      name: options.caseName ?? `stream ${options.streamId} as view ${view.name} has it`,
      when: events.map((e) => ({
        type: e.type,
        data: e.data,
        ...(e.schemaVersion === DEFAULT_SCHEMA_VERSION ? {} : { schemaVersion: e.schemaVersion }),
        eventId: e.eventId,
        timestamp: e.timestamp,
      })),
      ...(record === undefined ? { thenDeleted: true } : { then: record }),
    }],
  };
  // lineWidth 0: no folding, so a long text in the data reads as it is stored.
  const text = stringify(spec, { lineWidth: 0 });
  return `${header.map((line) => `# ${line}`).join('\n')}\n\n${text}`;
}

/** Runs `spec`: records, writes the file (never over an existing one); returns what to print. */
export async function runSpecCommand(args: SpecArgs, cwd: string): Promise<string> {
  const out = path.resolve(cwd, args.out ?? `${fileSafe(args.view)}.${fileSafe(args.stream)}.spec.yaml`);
  if (fs.existsSync(out)) throw new Error(`${out} exists already: name another file with --out, or remove it`);
  let projection: string | undefined;
  if (args.projection !== undefined) {
    const module = path.resolve(cwd, args.projection);
    if (!fs.existsSync(module)) throw new Error(`--projection ${args.projection}: no such file (resolved to ${module})`);
    projection = path.relative(path.dirname(out), module).split(path.sep).join('/');
    if (!projection.startsWith('.')) projection = `./${projection}`;
  }
  const target = args.local
    ? await localTarget(args.local, args.api)
    : await stackTarget({ stack: args.stack!, region: args.region, profile: args.profile, api: args.api });
  try {
    const recording = await recordStream(target, args.stream, args.view);
    const text = specFileText(recording, { streamId: args.stream, caseName: args.name, projection, where: target.where, now: new Date() });
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, text, { flag: 'wx' });
    const shown = path.relative(cwd, out) || out;
    const outcome = recording.record === undefined ? `its deleted record in view ${args.view}` : `its record in view ${args.view} (version ${recording.events.length})`;
    return `Wrote ${shown}: ${recording.events.length} event(s) of stream ${args.stream} and ${outcome}.` +
      ` ${projection === undefined ? 'Fill in its projection: line, then run' : 'Run'} it with: cdk-event-sourced-api test ${shown}`;
  } finally {
    target.dynamo.destroy();
    target.sqs.destroy();
  }
}

/** A stream id or view name as part of a file name: characters a file system may refuse become "_". */
function fileSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '_');
}
