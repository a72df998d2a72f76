/**
 * `cdk-event-sourced-api test [paths...] [--junit <file>]`: runs projection spec files with the
 * library's own test kit (lambda-src/testing, bundled in), so a team whose only Node is this CLI
 * tests its projections in CI as the TypeScript kit does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
// The modules themselves, not lambda-src/testing/index.ts: run as a script, that one is a child
// process's entry, and in a bundle it would take the CLI for its own script.
import { junitXml } from '../../../lambda-src/testing/junit';
import { SPEC_FILE } from '../../../lambda-src/testing/spec-file';
import { runSpecFile, type SpecFileResult } from '../../../lambda-src/testing/spec-run';

export const TEST_USAGE = `Usage: cdk-event-sourced-api test [paths...] [--junit <file>]

Runs projection spec files (*.spec.json, *.spec.yaml, *.spec.yml) with the aggregator's own apply
code, in this process: no DynamoDB, no network. Each path is a spec file or a folder searched
(node_modules, cdk.out and dot-folders skipped); the default is the current folder. Prints one
line per case and exits 1 when a case fails or no spec file is found.

Options:
  --junit <file>   also write the results as JUnit XML (for CI)
  -h, --help       show this help`;

export interface TestArgs {
  readonly paths: readonly string[];
  readonly junit?: string;
}

export function parseTestArgs(argv: readonly string[]): TestArgs | 'help' {
  const paths: string[] = [];
  let junit: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return 'help';
    if (arg === '--junit') {
      junit = argv[++i];
      if (junit === undefined || junit.startsWith('--')) throw new Error('--junit needs a file');
    } else if (arg.startsWith('-')) {
      throw new Error(`Unknown option "${arg}" for test\n\n${TEST_USAGE}`);
    } else {
      paths.push(arg);
    }
  }
  return { paths: paths.length ? paths : ['.'], ...(junit === undefined ? {} : { junit }) };
}

/** Folders a search never enters: installed packages, synthesized apps, and hidden ones (.git…). */
function skipped(name: string): boolean {
  return name === 'node_modules' || name === 'cdk.out' || name.startsWith('.');
}

/** The spec files under each path (a spec file given by name is taken whatever its folder), sorted, once each. */
export function findSpecFiles(paths: readonly string[], cwd: string): string[] {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!skipped(entry.name)) walk(full);
      } else if (entry.isFile() && SPEC_FILE.test(entry.name)) {
        found.add(full);
      }
    }
  };
  for (const given of paths) {
    const absolute = path.resolve(cwd, given);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(absolute);
    } catch {
      throw new Error(`${given}: no such file or folder`);
    }
    if (stat.isDirectory()) walk(absolute);
    else found.add(absolute);
  }
  return [...found].sort();
}

export interface TestRun {
  readonly results: readonly SpecFileResult[];
  readonly passed: boolean;
}

/**
 * Runs every spec file found, one after the other, printing as it goes (each path relative to
 * `cwd`); writes the JUnit file when asked, even when no spec file was found.
 */
export async function runTests(args: TestArgs, cwd: string, print: (line: string) => void): Promise<TestRun> {
  const files = findSpecFiles(args.paths, cwd);
  const results: SpecFileResult[] = [];
  for (const file of files) {
    const result = await runSpecFile(file);
    const shown = path.relative(cwd, file) || file;
    results.push({ ...result, file: shown });
    for (const c of result.cases) {
      print(`${c.passed ? '✓' : '✗'} ${shown} › ${c.name} (${Math.round(c.durationMs)} ms)`);
      if (!c.passed) for (const line of (c.message ?? 'failed').split('\n')) print(`    ${line}`);
    }
  }
  if (args.junit) {
    const out = path.resolve(cwd, args.junit);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, junitXml(results));
  }
  const cases = results.flatMap((r) => r.cases);
  const failed = cases.filter((c) => !c.passed).length;
  if (files.length === 0) {
    print(`No spec files (*.spec.json, *.spec.yaml, *.spec.yml) found in ${args.paths.join(', ')}`);
    return { results, passed: false };
  }
  print(`${failed ? 'FAILED' : 'Passed'}: ${cases.length - failed} of ${cases.length} case(s) passed, ${failed} failed, in ${files.length} spec file(s)`);
  return { results, passed: failed === 0 };
}
