/**
 * Gives the CLI package (packages/cli) the library's version, and names the library at that exact
 * version as its peer: the release's bump runs it after bumping the library, unbump after putting
 * the library back to 0.0.0. One version for both packages, one tag.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

// The repository's root, or another folder laid out the same (for its test).
const root = process.argv[2] ?? path.join(__dirname, '..');
const library = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string };
const file = path.join(root, 'packages', 'cli', 'package.json');
const cli = JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string; peerDependencies: Record<string, string> };
cli.version = library.version;
cli.peerDependencies[library.name] = library.version;
fs.writeFileSync(file, `${JSON.stringify(cli, null, 2)}\n`);
console.log(`packages/cli: ${library.name}-cli ${cli.version}, peer ${library.name}@${library.version}`);
