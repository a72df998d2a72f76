import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { readCloudAssembly } from '../../packages/cli/src';
import { functionsOf } from '../../packages/cli/src/cloud-assembly';
import { EventSourcedApi } from '../../src';
import { removeTempDirs, tempDir } from '../support/local-app';
import { twoViews } from '../support/synth';
import { synthApp } from '../support/templates';

const ROOT = path.join(__dirname, '..', '..');

afterAll(() => removeTempDirs());

/** The Node majors of the library's functions, from a synthesized template. */
function deployedMajors(): string[] {
  const app = new App({ outdir: tempDir('es-node-version-') });
  new EventSourcedApi(new Stack(app, 'Notes'), 'Api', { projections: twoViews() });
  const functions = readCloudAssembly(synthApp(app).directory, { tablePrefix: '' }).flatMap(functionsOf);
  return [...new Set(functions.map((fn) => /^nodejs(\d+)/.exec(fn.runtime ?? '')?.[1]))].map(String);
}

test('npm scripts (npm test, the demo) run on the Node major the functions deploy on: the node devDependency, first on their PATH', () => {
  const range = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies.node;
  const majors = deployedMajors();
  expect(majors).toEqual([range.replace(/^\^/, '').split('.')[0]]);
  const scripts = spawnSync('npm', ['exec', '--offline', '--', 'node', '-p', 'process.versions.node'], { cwd: ROOT, encoding: 'utf8' });
  expect(scripts.stderr).toBe('');
  expect(scripts.stdout.trim().split('.')[0]).toBe(majors[0]);
  // This test itself, when npm started it (npm test, npx jest): jest came from that PATH too.
  if (process.env.npm_config_user_agent) expect(process.versions.node.split('.')[0]).toBe(majors[0]);
});
