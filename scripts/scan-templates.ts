/**
 * Template scanners we did not write, over what the construct synthesizes:
 * - cfn-lint over every template the tests synthesized (test-reports/templates: defaults, every
 *   option the tests use), the integration tests' snapshots, and the example app, with and
 *   without a customer managed key;
 * - checkov over the example app, with and without a key.
 * Both must report nothing: a finding the construct accepts is acknowledged on the resource, with
 * its reason, in the metadata both tools read (src/private/acknowledge.ts). Anything new fails.
 * checkov's acknowledgments must also match the checked-in list ACKNOWLEDGED (by check, resource
 * type and logical id, hashes dropped), so that a new one, or one that went away, is a reviewed
 * change: `--update-checkov-baseline` rewrites the list from this run.
 *
 * Needs .venv from scripts/python-tools.sh (the test:templates task runs it first).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { buildExampleApp } from '../examples/typescript/app';
import { EventSourcedApi, IndexKeyType } from '../src';

const ROOT = path.join(__dirname, '..');
const BIN = path.join(ROOT, '.venv', 'bin');
const TEST_TEMPLATES = path.join(ROOT, 'test-reports', 'templates');
const EXAMPLES = path.join(ROOT, 'test-reports', 'example-templates');
const INTEG = path.join(ROOT, 'test', 'integ');
const ACKNOWLEDGED = path.join(ROOT, 'test', 'fixtures', 'checkov-acknowledged.json');
const UPDATE_FLAG = '--update-checkov-baseline';
const UPDATE_COMMAND = `npx projen test:templates ${UPDATE_FLAG}`;

function run(tool: string, args: string[]): { status: number; stdout: string; stderr: string; seconds: number } {
  const started = Date.now();
  const result = spawnSync(path.join(BIN, tool), args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.error) throw new Error(`${tool} could not run (${result.error.message}): run scripts/python-tools.sh first`);
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr, seconds: (Date.now() - started) / 1000 };
}

/**
 * The example app as users deploy it, and the same app with a customer managed key and a view
 * with indexes (their grants in the view table's resource policy are scanned too).
 */
function synthesizeExamples(): string[] {
  fs.rmSync(EXAMPLES, { recursive: true, force: true });
  fs.mkdirSync(EXAMPLES, { recursive: true });
  const plain = new App();
  const stack = buildExampleApp(plain);
  const withKey = new App();
  const keyed = new Stack(withKey, 'CustomersApiWithKey');
  new EventSourcedApi(keyed, 'Customers', {
    projections: ['default', 'summary'].map((name) => ({
      name,
      entry: path.join(ROOT, 'examples', 'typescript', 'projections', `${name}.ts`),
      indexes: name === 'summary' ? [{ name: 'bySpend', partitionKey: { field: 'orders', type: IndexKeyType.NUMBER }, sortKey: { field: 'totalCents', type: IndexKeyType.NUMBER } }] : undefined,
    })),
    encryptionKey: new kms.Key(keyed, 'Key', { enableKeyRotation: true, description: 'cdk-event-sourced-api example' }),
  });
  const files: string[] = [];
  for (const [app, s] of [[plain, stack], [withKey, keyed]] as const) {
    const file = path.join(EXAMPLES, `${s.stackName}.template.json`);
    fs.writeFileSync(file, JSON.stringify(app.synth().getStackByName(s.stackName).template, undefined, 1));
    files.push(file);
  }
  return files;
}

interface CfnLintMatch {
  readonly Filename: string;
  readonly Level: string;
  readonly Message: string;
  readonly Rule: { readonly Id: string };
}

function cfnLint(files: string[]): boolean {
  const result = run('cfn-lint', ['--format', 'json', '--', ...files]);
  const matches = JSON.parse(result.stdout || '[]') as CfnLintMatch[];
  const byRule = new Map<string, number>();
  for (const m of matches) byRule.set(`${m.Level} ${m.Rule.Id}`, (byRule.get(`${m.Level} ${m.Rule.Id}`) ?? 0) + 1);
  console.log(`cfn-lint: ${files.length} templates in ${result.seconds.toFixed(1)} s: ${matches.length === 0 ? 'no findings' : [...byRule].map(([r, n]) => `${n} × ${r}`).join(', ')}`);
  for (const m of matches.slice(0, 20)) console.log(`  ${m.Level} ${m.Rule.Id} ${path.basename(m.Filename)}: ${m.Message}`);
  if (result.status !== 0 && matches.length === 0) console.log(result.stderr);
  return result.status === 0 && matches.length === 0;
}

interface CheckovReport {
  readonly summary: { passed: number; failed: number; skipped: number; parsing_errors: number };
  readonly results: {
    readonly failed_checks: Array<{ check_id: string; check_name: string; resource: string }>;
    readonly skipped_checks: Array<{ check_id: string; resource: string; check_result: { suppress_comment?: string } }>;
  };
}

/** Acknowledged checks of each template: "check resource-type logical-id-pattern" -> how many. */
type Acknowledged = Record<string, Record<string, number>>;

/**
 * One acknowledgment as the baseline lists it: the logical id without CDK's hash suffix, and with
 * a view's name (`Projection<name>`) as `*`, so the views of one kind count under one entry.
 */
function acknowledgedKey(checkId: string, resource: string): string {
  const dot = resource.indexOf('.');
  const [type, id] = dot < 0 ? [resource, ''] : [resource.slice(0, dot), resource.slice(dot + 1)];
  const pattern = id.replace(/[0-9A-F]{8}$/, '').replace(/Projection[a-z0-9]+(?=[A-Z])/, 'Projection*');
  return `${checkId} ${type} ${pattern}`;
}

function sorted<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The differences from the checked-in baseline, one line each; none when they match. */
function compareWithBaseline(actual: Acknowledged): string[] {
  if (!fs.existsSync(ACKNOWLEDGED)) return [`${path.relative(ROOT, ACKNOWLEDGED)} is missing`];
  const expected = (JSON.parse(fs.readFileSync(ACKNOWLEDGED, 'utf8')) as { templates: Acknowledged }).templates;
  const lines: string[] = [];
  for (const template of [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort()) {
    const want = expected[template] ?? {};
    const got = actual[template] ?? {};
    for (const key of [...new Set([...Object.keys(want), ...Object.keys(got)])].sort()) {
      const [before, now] = [want[key] ?? 0, got[key] ?? 0];
      if (before === now) continue;
      lines.push(`  ${now > before ? 'new' : 'gone'}: ${template} ${key} (baseline ${before}, now ${now})`);
    }
  }
  return lines;
}

function checkov(files: string[]): boolean {
  let ok = true;
  const acknowledged: Acknowledged = {};
  for (const file of files) {
    const result = run('checkov', ['--file', file, '--framework', 'cloudformation', '--skip-download', '--output', 'json']);
    const report = JSON.parse(result.stdout) as CheckovReport | CheckovReport[];
    const { summary, results } = Array.isArray(report) ? report[0] : report;
    const skippedBy = new Map<string, number>();
    for (const s of results.skipped_checks ?? []) skippedBy.set(s.check_id, (skippedBy.get(s.check_id) ?? 0) + 1);
    console.log(`checkov ${path.basename(file)} (${result.seconds.toFixed(1)} s): ${summary.passed} passed, ${summary.failed} failed, ` +
      `${summary.skipped} acknowledged (${[...skippedBy].map(([id, n]) => `${id} × ${n}`).join(', ') || 'none'}), ${summary.parsing_errors} parsing errors`);
    for (const f of results.failed_checks ?? []) console.log(`  FAILED ${f.check_id} ${f.resource}: ${f.check_name}`);
    const unexplained = (results.skipped_checks ?? []).filter((s) => (s.check_result.suppress_comment ?? '').length < 20);
    for (const s of unexplained) console.log(`  ACKNOWLEDGED WITHOUT A REASON ${s.check_id} ${s.resource}`);
    ok &&= summary.failed === 0 && summary.parsing_errors === 0 && unexplained.length === 0;
    const counts: Record<string, number> = {};
    for (const s of results.skipped_checks ?? []) {
      const key = acknowledgedKey(s.check_id, s.resource);
      counts[key] = (counts[key] ?? 0) + 1;
    }
    acknowledged[path.basename(file, '.template.json')] = sorted(counts);
  }

  const baseline = path.relative(ROOT, ACKNOWLEDGED);
  if (process.argv.includes(UPDATE_FLAG)) {
    const note = `checkov checks acknowledged in the example app, compared on every run by scripts/scan-templates.ts; rewrite with: ${UPDATE_COMMAND}`;
    fs.writeFileSync(ACKNOWLEDGED, `${JSON.stringify({ note, templates: sorted(acknowledged) }, undefined, 2)}\n`);
    console.log(`checkov: wrote ${baseline}; review its diff before committing it`);
    return ok;
  }
  const differences = compareWithBaseline(acknowledged);
  if (differences.length === 0) {
    const entries = Object.values(acknowledged).reduce((n, counts) => n + Object.keys(counts).length, 0);
    console.log(`checkov: acknowledgments match ${baseline} (${entries} entries over ${files.length} templates)`);
  } else {
    console.log(`checkov: acknowledgments differ from ${baseline}:\n${differences.join('\n')}`);
    console.log(`  If the change is meant (each new acknowledgment has its reason in src/private/acknowledge.ts and the table of docs/security.md), run \`${UPDATE_COMMAND}\` and commit ${baseline}.`);
  }
  return ok && differences.length === 0;
}

const examples = synthesizeExamples();
const tested = fs.existsSync(TEST_TEMPLATES) ? fs.readdirSync(TEST_TEMPLATES).map((f) => path.join(TEST_TEMPLATES, f)) : [];
if (tested.length === 0) console.log('cfn-lint: no templates from the tests in test-reports/templates (run jest first); linting the examples only');
// The integration tests' stacks, as their committed snapshots hold them (the assertion stacks are
// integ-tests-alpha's, not ours).
const integ = fs.readdirSync(INTEG).filter((d) => d.endsWith('.snapshot')).flatMap((d) => fs.readdirSync(path.join(INTEG, d))
  .filter((f) => f.endsWith('.template.json') && !f.includes('DeployAssert')).map((f) => path.join(INTEG, d, f)));
const lintOk = cfnLint([...examples, ...tested, ...integ]);
const checkovOk = checkov(examples);
if (!lintOk || !checkovOk) {
  console.error('Template scanners found something: fix it, or acknowledge it on the resource with a reason (src/private/acknowledge.ts)' +
    ` and, for checkov, record the change with \`${UPDATE_COMMAND}\`.`);
  process.exit(1);
}
