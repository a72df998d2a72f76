import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

test('the CLI package gets the library\'s version and names the library at it as its peer, the rest of its manifest untouched', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-version-'));
  try {
    const library = { ...JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')), version: '1.7.2' };
    const cli = JSON.parse(fs.readFileSync(path.join(ROOT, 'packages', 'cli', 'package.json'), 'utf8'));
    fs.mkdirSync(path.join(dir, 'packages', 'cli'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(library));
    fs.writeFileSync(path.join(dir, 'packages', 'cli', 'package.json'), JSON.stringify(cli));
    execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'scripts', 'set-cli-version.ts'), dir], { encoding: 'utf8' });
    const after = JSON.parse(fs.readFileSync(path.join(dir, 'packages', 'cli', 'package.json'), 'utf8'));
    expect(after).toEqual({ ...cli, version: '1.7.2', peerDependencies: { ...cli.peerDependencies, 'cdk-event-sourced-api': '1.7.2' } });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
