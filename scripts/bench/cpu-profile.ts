/**
 * Summarises V8 .cpuprofile files (`node --cpu-prof`): self time by component (what the frame's
 * script is: the runtime's own modules, the functions' bundles, the AWS SDK, Node's HTTP, ...) and
 * the top frames by self time.
 *   npx ts-node --project tsconfig.dev.json scripts/bench/cpu-profile.ts DIR_OR_FILES... [--top 25] [--window FROM-TO]
 * `--by-caller`: each sample goes to its nearest caller among packages/cli/src/* (or scripts/*), if any.
 * `--window`: only the samples in that span (µs on V8's monotonic clock), as scripts/profile-local.ts prints it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly children?: number[];
}

interface Profile {
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
  readonly startTime: number;
}

/** The component a frame belongs to, from its script's URL. */
export function componentOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'V8/native (program)';
    return `native ${functionName || '(anonymous)'}`;
  }
  const local = /src\/local\/([\w-]+)\.ts/.exec(url);
  if (local) return `runtime: ${local[1]}`;
  const asset = /assets\/([\w-]+)\//.exec(url);
  if (asset) return `function bundle: ${asset[1]}`;
  if (/cdk\.out|es-api-bench|es-api-profile/.test(url)) return 'function bundle: projection';
  const pkg = /node_modules\/((?:@[\w.-]+\/)?[\w.-]+)/.exec(url);
  if (pkg) {
    if (pkg[1].startsWith('@aws-sdk/') || pkg[1].startsWith('@smithy/') || pkg[1].startsWith('@aws-crypto/')) return 'AWS SDK';
    return `package ${pkg[1]}`;
  }
  if (url.startsWith('node:internal/deps/undici')) return 'node: undici (fetch)';
  if (/^node:internal\/(http|_http)|^node:_http|^node:http/.test(url)) return 'node: http';
  if (/^node:internal\/(worker|child_process)|^node:child_process|^node:worker/.test(url)) return 'node: worker/IPC';
  if (/^node:(net|internal\/net|internal\/stream_base|dns|internal\/dns)/.test(url)) return 'node: net';
  if (/^node:internal\/streams|^node:stream/.test(url)) return 'node: streams';
  if (url.startsWith('node:')) return `node: ${url.replace(/^node:(internal\/)?/, '').split('/')[0]}`;
  if (/scripts\//.test(url)) return 'benchmark script';
  return url.replace(/^file:\/\//, '').split('/').slice(-2).join('/');
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly byComponent: Map<string, number>;
  readonly byFrame: Map<string, number>;
}

/**
 * The part of the runtime a sample is spent for: the nearest caller among the runtime's own modules
 * (packages/cli/src/*) or the benchmark's clients (scripts/*), else what the sampled frame itself is.
 */
function callerOf(id: number, byId: Map<number, ProfileNode>, parents: Map<number, number>): string | undefined {
  for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
    const url = byId.get(at)!.callFrame.url;
    const local = /src\/local\/([\w-]+)\.ts/.exec(url);
    if (local) return `runtime: ${local[1]}`;
    if (/\/scripts\//.test(url)) return 'benchmark clients';
  }
  return undefined;
}

/**
 * `window`: only the samples taken between these two times (µs, the profile's monotonic clock).
 * `byCaller`: components by nearest caller (callerOf) instead of by the sampled frame.
 */
export function summarise(profile: Profile, window?: [number, number], byCaller = false): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parents = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parents.set(child, n.id);
  const byComponent = new Map<string, number>();
  const byFrame = new Map<string, number>();
  let totalMs = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (window && (at < window[0] || at > window[1])) return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const own = componentOf(url, functionName);
    const component = byCaller && own !== 'idle' ? callerOf(id, byId, parents) ?? own : own;
    if (component === 'idle') return;
    totalMs += ms;
    byComponent.set(component, (byComponent.get(component) ?? 0) + ms);
    const frame = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|assets|scripts)\//, '$1/')}:${lineNumber + 1}` : ''}`;
    byFrame.set(frame, (byFrame.get(frame) ?? 0) + ms);
  });
  return { totalMs, byComponent, byFrame };
}

function main(): void {
  const args = process.argv.slice(2);
  const topIndex = args.indexOf('--top');
  const top = topIndex >= 0 ? Number(args.splice(topIndex, 2)[1]) : 25;
  const windowIndex = args.indexOf('--window');
  const window = windowIndex >= 0 ? args.splice(windowIndex, 2)[1].split('-').map(Number) as [number, number] : undefined;
  const byCallerIndex = args.indexOf('--by-caller');
  if (byCallerIndex >= 0) args.splice(byCallerIndex, 1);
  const files = args.flatMap((a) => (fs.statSync(a).isDirectory()
    ? fs.readdirSync(a).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(a, f))
    : [a]));
  const all: ProfileSummary = { totalMs: 0, byComponent: new Map(), byFrame: new Map() };
  for (const file of files) {
    const s = summarise(JSON.parse(fs.readFileSync(file, 'utf8')) as Profile, window, byCallerIndex >= 0);
    console.log(`${path.basename(file)}: ${(s.totalMs / 1000).toFixed(2)} s busy`);
    (all as { totalMs: number }).totalMs += s.totalMs;
    for (const [k, v] of s.byComponent) all.byComponent.set(k, (all.byComponent.get(k) ?? 0) + v);
    for (const [k, v] of s.byFrame) all.byFrame.set(k, (all.byFrame.get(k) ?? 0) + v);
  }
  const pct = (ms: number) => `${((100 * ms) / all.totalMs).toFixed(1).padStart(5)}%`;
  console.log(`\nSelf time by component (${(all.totalMs / 1000).toFixed(2)} s busy in all):`);
  for (const [k, v] of [...all.byComponent].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(v)}  ${(v / 1000).toFixed(2).padStart(6)} s  ${k}`);
  console.log('\nTop frames by self time:');
  for (const [k, v] of [...all.byFrame].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(v)}  ${k}`);
}

if (require.main === module) main();
