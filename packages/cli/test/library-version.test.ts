import * as fs from 'node:fs';
import * as path from 'node:path';
import { removeTempDirs, tempDir } from '../../../test/support/local-app';
import { cliVersion, libraryVersionOf, versionMismatchNote } from '../src/library-version';

afterAll(() => removeTempDirs());

/** An assembly whose tree.json holds an app with the library's construct nested in a stack, as CDK writes it. */
function assemblyWith(info: { fqn: string; version: string } | undefined): string {
  const dir = tempDir();
  const api = { id: 'Api', path: 'Shop/Api', constructInfo: info ?? { fqn: 'constructs.Construct', version: '10.5.1' } };
  const tree = {
    version: 'tree-0.1',
    tree: {
      id: 'App',
      path: '',
      constructInfo: { fqn: 'aws-cdk-lib.App', version: '2.257.0' },
      children: { Shop: { id: 'Shop', path: 'Shop', constructInfo: { fqn: 'aws-cdk-lib.Stack', version: '2.257.0' }, children: { Api: api } } },
    },
  };
  fs.writeFileSync(path.join(dir, 'tree.json'), JSON.stringify(tree));
  return dir;
}

test('the library version is the one CDK recorded for its construct, in any language', () => {
  expect(libraryVersionOf(assemblyWith({ fqn: 'cdk-event-sourced-api.EventSourcedApi', version: '1.4.0' }))).toBe('1.4.0');
  // From source (no jsii type information) or without tree.json, the assembly does not say.
  expect(libraryVersionOf(assemblyWith(undefined))).toBeUndefined();
  expect(libraryVersionOf(tempDir())).toBeUndefined();
});

test('local says when the app\'s library and the CLI differ, and how to align them; nothing when they match or it cannot tell', () => {
  const assembly = assemblyWith({ fqn: 'cdk-event-sourced-api.EventSourcedApi', version: '1.4.0' });
  expect(versionMismatchNote(assembly, '1.5.0')).toBe('cdk-event-sourced-api-cli 1.5.0 is running an app built with cdk-event-sourced-api 1.4.0: ' +
    'the local runtime reads what the library synthesizes, so use the same version of both ' +
    '(npm install --save-dev cdk-event-sourced-api-cli@1.4.0, or npx --yes cdk-event-sourced-api-cli@1.4.0).');
  expect(versionMismatchNote(assembly, '1.4.0')).toBeUndefined();
  expect(versionMismatchNote(assemblyWith(undefined), '1.5.0')).toBeUndefined();
});

test('the CLI knows its own version from its package.json', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
  expect(manifest.name).toBe('cdk-event-sourced-api-cli');
  expect(cliVersion()).toBe(manifest.version);
});
