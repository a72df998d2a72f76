import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { removeTempDirs, tempDir } from '../../../test/support/local-app';
import { findFunctionNode } from '../src/function-node';

afterAll(() => removeTempDirs());

// The project's own Node 24 (the `node` devDependency), and its version as it reports it.
const manifest = require.resolve('node/package.json');
const realNode24 = path.join(path.dirname(manifest), 'bin', 'node');
const realVersion = spawnSync(realNode24, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();

/** An app folder whose node_modules hold `name` with a `node` bin linked to `binary`. */
function appWith(name: string, binary: string): string {
  const app = tempDir('es-node-app-');
  const dir = path.join(app, 'node_modules', name);
  fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, bin: { node: 'bin/node' } }));
  fs.symlinkSync(binary, path.join(dir, 'bin', 'node'));
  return app;
}

/** A script that says it is Node `version`, as `node -p process.versions.node` would. */
function fakeNode(version: string): string {
  const file = path.join(tempDir('es-fake-node-'), 'node');
  fs.writeFileSync(file, `#!/bin/sh\necho ${version}\n`, { mode: 0o755 });
  return file;
}

test('this process\'s own Node when its major is the runtime\'s: worker threads, no binary', () => {
  expect(findFunctionNode('nodejs24.x', { currentVersion: '24.3.0', searchFrom: [] })).toEqual({ version: '24.3.0' });
});

test('on another major, the `node` package of the app\'s node_modules, from a subfolder too', () => {
  expect(realVersion).toMatch(/^24\./);
  const app = appWith('node', realNode24);
  const sub = path.join(app, 'infra');
  fs.mkdirSync(sub);
  expect(findFunctionNode('nodejs24.x', { currentVersion: '20.20.2', searchFrom: [sub] }))
    .toEqual({ version: realVersion, binary: path.join(app, 'node_modules', 'node', 'bin', 'node') });
});

test('the per-platform package when the `node` one is not there', () => {
  const name = `node-${process.platform}-${process.arch}`;
  const app = appWith(name, realNode24);
  expect(findFunctionNode('nodejs24.x', { currentVersion: '20.20.2', searchFrom: [app] }))
    .toEqual({ version: realVersion, binary: path.join(app, 'node_modules', name, 'bin', 'node') });
});

test('a binary of another major is passed over for the next one, here node24 on the PATH', () => {
  const app = appWith('node', fakeNode('22.11.0'));
  const bin = tempDir('es-path-');
  fs.symlinkSync(realNode24, path.join(bin, 'node24'));
  const pathEnv = ['/nonexistent', bin].join(path.delimiter);
  expect(findFunctionNode('nodejs24.x', { currentVersion: '20.20.2', searchFrom: [app], pathEnv }))
    .toEqual({ version: realVersion, binary: path.join(bin, 'node24') });
});

test('none found, a binary that fails or prints no version, or a runtime that is not Node: undefined', () => {
  const empty = tempDir('es-empty-');
  expect(findFunctionNode('nodejs24.x', { currentVersion: '20.20.2', searchFrom: [empty], pathEnv: empty })).toBeUndefined();
  const broken = path.join(tempDir('es-broken-'), 'node');
  fs.writeFileSync(broken, '#!/bin/sh\nexit 3\n', { mode: 0o755 });
  expect(findFunctionNode('nodejs24.x', { currentVersion: '20.20.2', searchFrom: [appWith('node', broken), appWith('node', fakeNode('not a version'))] })).toBeUndefined();
  expect(findFunctionNode('python3.12', { currentVersion: '20.20.2', searchFrom: [appWith('node', realNode24)] })).toBeUndefined();
});
