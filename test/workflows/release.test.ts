/**
 * The release and build workflows projen writes (.github/workflows/*.yml, from .projenrc.ts),
 * read as GitHub reads them: what triggers a release, which job publishes where and after what,
 * where the version comes from, and whether the jobs that run `npm test` have its toolchain.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';

const ROOT = path.join(__dirname, '..', '..');

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
}
interface Job { readonly needs?: string | string[]; readonly if?: string; readonly steps: Step[] }
interface Workflow { readonly on: Record<string, any>; readonly jobs: Record<string, Job> }
interface TaskStep { readonly spawn?: string; readonly exec?: string; readonly builtin?: string; readonly outputEnv?: string }
interface Task { readonly env?: Record<string, string>; readonly steps?: TaskStep[] }

const workflow = (name: string): Workflow =>
  parse(fs.readFileSync(path.join(ROOT, '.github', 'workflows', name), 'utf8'));
const tasks: Record<string, Task> = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks;
const needsOf = (job: Job) => [job.needs ?? []].flat();

/** The one job with a step running exactly `run`, by id. */
function jobRunning(wf: Workflow, run: string): string {
  const ids = Object.entries(wf.jobs).filter(([, job]) => job.steps.some(s => s.run?.trim() === run)).map(([id]) => id);
  expect(ids).toHaveLength(1);
  return ids[0];
}

/** Every secret a job's steps read, GitHub's own token aside. */
function secretsOf(job: Job): string[] {
  const names = JSON.stringify(job.steps).match(/secrets\.[A-Z0-9_]+/g) ?? [];
  return [...new Set(names.map(n => n.slice('secrets.'.length)))].filter(n => n !== 'GITHUB_TOKEN').sort();
}

describe('release workflow', () => {
  const release = workflow('release.yml');
  const releaseJob = jobRunning(release, 'npx projen release');

  test('a push to main releases; nothing else does, but a manual run', () => {
    expect(Object.keys(release.on).sort()).toEqual(['push', 'workflow_dispatch']);
    expect(release.on.push).toEqual({ branches: ['main'] });
  });

  // publib's command names the registry; the package each publishes is the one the release job
  // built and uploaded, at the version it bumped to.
  test.each([
    // The library from dist/js (publib's default), the CLI package from dist/cli.
    ['npm (the library)', /publib-npm'?$/, ['NPM_TOKEN']],
    ['npm (the CLI)', /publib-npm dist\/cli$/, ['NPM_TOKEN']],
    ['PyPI', /publib-pypi/, ['TWINE_PASSWORD', 'TWINE_USERNAME']],
    ['Maven Central', /publib-maven/, ['MAVEN_GPG_PRIVATE_KEY', 'MAVEN_GPG_PRIVATE_KEY_PASSPHRASE', 'MAVEN_PASSWORD', 'MAVEN_STAGING_PROFILE_ID', 'MAVEN_USERNAME']],
  ])('publishes to %s after the release job, from its artifact, once per new tag', (_registry, command, secrets) => {
    const ids = Object.keys(release.jobs).filter(id => release.jobs[id].steps.some(s => command.test(s.run?.trim() ?? '')));
    expect(ids).toHaveLength(1);
    const job = release.jobs[ids[0]];
    expect(needsOf(job)).toContain(releaseJob);
    expect(JSON.stringify(job.steps)).toContain(`needs.${releaseJob}.outputs.artifact_id`);
    // A push with nothing to release leaves the latest tag in place: it must not publish again.
    expect(job.if).toContain(`needs.${releaseJob}.outputs.tag_exists != 'true'`);
    // Nor may an older commit publish over a newer one pushed meanwhile.
    expect(job.if).toContain(`needs.${releaseJob}.outputs.latest_commit == github.sha`);
    expect(secretsOf(job)).toEqual(secrets);
  });

  test('the npm tarball is checked before the artifact the registries publish is uploaded', () => {
    const steps = release.jobs[releaseJob].steps;
    const built = steps.findIndex(s => s.run?.trim() === 'npx projen release');
    const checked = steps.findIndex(s => s.run?.trim() === 'bash scripts/check-package.sh');
    const uploaded = steps.findIndex(s => s.uses?.startsWith('actions/upload-artifact@'));
    expect(built).toBeGreaterThanOrEqual(0);
    expect(checked).toBeGreaterThan(built);
    expect(uploaded).toBeGreaterThan(checked);
  });

  test('the GitHub release (tag and changelog) waits for every registry', () => {
    const gh = jobRunning(release, [
      'tag=$(cat "$RELEASE_TAG_FILE") &&',
      'gh release view "$tag" -R "$GITHUB_REPOSITORY" 2>/dev/null ||',
      'gh release create "$tag" -R "$GITHUB_REPOSITORY" -F "$CHANGELOG_FILE" -t "$tag" --target "$GITHUB_SHA"',
    ].join('\n'));
    const publishers = Object.keys(release.jobs).filter(id => release.jobs[id].steps.some(s => s.run?.includes('publib-')));
    expect(publishers).toHaveLength(4);
    expect(needsOf(release.jobs[gh]).sort()).toEqual([releaseJob, ...publishers].sort());
  });

  test('the release task bumps from the conventional commits, then builds and tests that version', () => {
    const steps = (tasks.release.steps ?? []).map(s => s.spawn ?? s.exec);
    expect(steps.indexOf('bump')).toBeGreaterThanOrEqual(0);
    expect(steps.indexOf('bump')).toBeLessThan(steps.indexOf('build'));
    expect(steps.indexOf('build')).toBeLessThan(steps.indexOf('unbump'));
    // The build may change no checked-in file (the version is put back by unbump first).
    expect(steps[steps.length - 1]).toMatch(/^git diff .*--exit-code/);
    expect(tasks.bump.env?.BUMP_PACKAGE).toMatch(/^commit-and-tag-version@/);
    // build (and so npm test) runs in the release job, under the bumped version.
    expect(tasks.build.steps?.map(s => s.spawn)).toContain('test');
  });

  test('both packages get one version: bump gives the CLI the library\'s, unbump puts it back', () => {
    for (const task of ['bump', 'unbump']) {
      const steps = tasks[task].steps ?? [];
      const versioned = steps.findIndex(s => s.builtin === (task === 'bump' ? 'release/apply-version-bump' : 'release/reset-version'));
      const cli = steps.findIndex(s => s.exec?.includes('scripts/set-cli-version.ts'));
      expect(versioned).toBeGreaterThanOrEqual(0);
      expect(cli).toBeGreaterThan(versioned);
    }
  });

  test('only a feat or a fix since the last tag makes a release', () => {
    // The task's own command, run in a scratch repository with a tag and commits after it.
    const command = tasks['bump:releasable-commits'].steps?.[0].exec ?? '';
    expect(command).toContain('$LATEST_TAG..HEAD');
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'releasable-'));
    try {
      const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo, encoding: 'utf8' });
      git('init', '-q');
      git('commit', '-q', '--allow-empty', '-m', 'feat: released before');
      git('tag', 'v0.1.0');
      const subjects: Array<[string, boolean]> = [
        ['feat: views in nested stacks', true],
        ['fix(construct): take the queue policy from addToResourcePolicy', true],
        ['feat!: drop the v1 read API', true],
        ['docs: the release section', false],
        ['test(local): chaos e2e', false],
        ['build(release): publish to PyPI', false],
        ['refactor: feat: and fix: only count first', false],
        ['chore(release): 0.1.1', false],
      ];
      for (const [subject] of subjects) git('commit', '-q', '--allow-empty', '-m', subject);
      const out = execFileSync('bash', ['-c', command], { cwd: repo, env: { ...process.env, LATEST_TAG: 'v0.1.0' }, encoding: 'utf8' });
      const released = out.split('\n').filter(Boolean).map(line => line.replace(/^[0-9a-f]+ /, ''));
      expect(released.sort()).toEqual(subjects.filter(([, r]) => r).map(([subject]) => subject).sort());
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });

  test('the first release is 0.1.0; after it, the commits decide', () => {
    const next = tasks.bump.steps?.find(s => s.outputEnv === 'BUMP_TYPE');
    expect(next?.spawn).toBeDefined();
    const command = tasks[next!.spawn!].steps?.[0].exec ?? '';
    const run = (latestTag: string) =>
      execFileSync('bash', ['-c', command], { env: { ...process.env, LATEST_TAG: latestTag }, encoding: 'utf8' }).trim();
    expect(run('')).toBe('0.1.0');
    expect(run('v0.1.0')).toBe('');
  });
});

describe('every job that runs npm test has its toolchain', () => {
  // DynamoDB Local runs on Java; test:bindings builds the Python and Java packages (Python 3.11,
  // Maven); test:workflows builds actionlint with Go. Node 24 runs npm, as the `node`
  // devDependency runs npm test's scripts: Lambda's nodejs24.x.
  test.each([
    ['release.yml', 'npx projen release'],
    ['build.yml', 'npx projen build'],
  ])('%s, the job running %p', (file, command) => {
    const wf = workflow(file);
    const steps = wf.jobs[jobRunning(wf, command)].steps;
    const at = (action: string) => steps.findIndex(s => s.uses?.startsWith(`actions/${action}@`));
    const main = steps.findIndex(s => s.run?.trim() === command);
    for (const [action, input, version] of [
      ['setup-java', 'java-version', '17'],
      ['setup-python', 'python-version', '3.11'],
      ['setup-node', 'node-version', '24.x'],
      ['setup-go', 'go-version', '1.26'],
    ]) {
      expect(at(action)).toBeGreaterThanOrEqual(0);
      expect(at(action)).toBeLessThan(main);
      expect(String(steps[at(action)].with?.[input])).toBe(version);
    }
    // Maven comes with GitHub's ubuntu runners: the toolchain step fails before the build if not.
    const toolchain = steps.findIndex(s => /\bmvn -v\b/.test(s.run ?? ''));
    expect(toolchain).toBeGreaterThan(at('setup-java'));
    expect(toolchain).toBeLessThan(main);
    // The lockfile as committed, as in .ci/run.
    expect(steps.some(s => s.run?.trim() === 'npm ci')).toBe(true);
  });

  test('a pull request build that changes a checked-in file fails; it pushes nothing', () => {
    const build = workflow('build.yml');
    expect(Object.keys(build.on)).toContain('pull_request');
    expect(Object.keys(build.jobs)).not.toContain('self-mutation');
    const job = build.jobs[jobRunning(build, 'npx projen build')] as Job & { permissions?: Record<string, string> };
    expect(job.permissions).toEqual({ contents: 'read' });
    const fail = job.steps.find(s => s.name === 'Fail build on mutation');
    expect(fail?.run).toContain('exit 1');
  });
});

test('the development guide names every secret the release workflow reads', () => {
  const guide = fs.readFileSync(path.join(ROOT, 'docs', 'development.md'), 'utf8');
  const section = /\n## Releasing\n([\s\S]*?)(\n## |\n### |$)/.exec(guide)?.[1] ?? '';
  const release = workflow('release.yml');
  const secrets = new Set(Object.values(release.jobs).flatMap(secretsOf));
  expect(secrets.size).toBeGreaterThan(0);
  for (const secret of secrets) expect(section).toContain(`\`${secret}\``);
});
