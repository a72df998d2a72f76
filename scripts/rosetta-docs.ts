/**
 * Compiles the TypeScript snippets of the guides in docs/ with jsii-rosetta, as strictly as
 * `rosetta:extract` compiles the README's.
 *
 * `jsii-rosetta extract` reads snippets from jsii assemblies only (its README: "Snippets are always
 * read from the jsii assembly"), and the assembly holds the README but not docs/. So this writes a
 * throwaway package, outside the repository, whose assembly has one submodule per guide with the
 * guide as its README (jsii's own place for a submodule's Markdown), and runs the same
 * `jsii-rosetta extract --strict` on it: rosetta's own Markdown reading, fixtures (rosetta/) and
 * compilation, against this library, aws-cdk-lib and constructs as the real extract resolves
 * them. A snippet that does not compile fails with rosetta's diagnostic, naming the guide's
 * submodule and the snippet's line.
 *
 * docs/getting-started-typescript.md is left out: its TypeScript blocks are whole files of an app
 * (with their own imports, and a projection written with arrow functions, which rosetta refuses
 * to translate by design), which test/bindings/from-scratch.test.ts writes into a new folder and
 * checks with `tsc` and `cdk synth`, a stricter compile than rosetta's.
 *
 * Usage: ts-node scripts/rosetta-docs.ts (after jsii compiled .jsii).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');
const DOCS = path.join(ROOT, 'docs');
const DOCS_PACKAGE = 'cdk-event-sourced-api-docs';
const COMPILED_ELSEWHERE = ['getting-started-typescript.md'];

function main(): number {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const assembly = JSON.parse(fs.readFileSync(path.join(ROOT, '.jsii'), 'utf8'));
  const guides = fs.readdirSync(DOCS).filter((file) => file.endsWith('.md') && !COMPILED_ELSEWHERE.includes(file)).sort();
  // What the snippets import: this library, and what it peer-depends on (aws-cdk-lib, constructs).
  const imports = [manifest.name as string, ...Object.keys(manifest.peerDependencies ?? {})];

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rosetta-docs-'));
  try {
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
      name: DOCS_PACKAGE,
      version: assembly.version,
      private: true,
      peerDependencies: Object.fromEntries(imports.map((name) => [name, '*'])),
    }, null, 2));
    fs.mkdirSync(path.join(dir, 'node_modules'));
    for (const name of imports) {
      const target = name === manifest.name ? ROOT : path.join(ROOT, 'node_modules', name);
      fs.mkdirSync(path.dirname(path.join(dir, 'node_modules', name)), { recursive: true });
      fs.symlinkSync(target, path.join(dir, 'node_modules', name), 'dir');
    }
    fs.symlinkSync(path.join(ROOT, 'rosetta'), path.join(dir, 'rosetta'), 'dir');
    fs.writeFileSync(path.join(dir, '.jsii'), JSON.stringify({
      ...assembly,
      name: DOCS_PACKAGE,
      // The library's own types and README are rosetta:extract's; here only the guides.
      types: {},
      readme: undefined,
      submodules: Object.fromEntries(guides.map((file) => [
        `${DOCS_PACKAGE}.${path.basename(file, '.md').replace(/-/g, '_')}`,
        { readme: { markdown: fs.readFileSync(path.join(DOCS, file), 'utf8') } },
      ])),
    }));
    console.log(`rosetta:docs: ${guides.length} guides in docs/ (${guides.join(', ')})`);
    const rosetta = spawnSync('jsii-rosetta', ['extract', '--strict', '--validate-assemblies', '--verbose', '--batch', '1000', dir], { cwd: ROOT, stdio: 'inherit' });
    return rosetta.status ?? 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = main();
