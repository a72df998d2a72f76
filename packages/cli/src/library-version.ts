import * as fs from 'node:fs';
import * as path from 'node:path';

/** The library whose apps the CLI runs; its jsii classes record their version in tree.json. */
const LIBRARY = 'cdk-event-sourced-api';

interface TreeNode {
  readonly constructInfo?: { readonly fqn?: string; readonly version?: string };
  readonly children?: Record<string, TreeNode>;
}

/** This package's own version (package.json is one folder up from src/ and from lib/ alike). */
export function cliVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * The version of the library an assembly was synthesized with, in any language: CDK writes each
 * jsii construct's fully qualified name and package version to tree.json. Undefined when the
 * assembly does not say (no tree.json, or an app that runs the library from source).
 */
export function libraryVersionOf(assemblyDir: string): string | undefined {
  const file = path.join(assemblyDir, 'tree.json');
  if (!fs.existsSync(file)) return undefined;
  const pending: TreeNode[] = [(JSON.parse(fs.readFileSync(file, 'utf8')) as { tree?: TreeNode }).tree ?? {}];
  for (let node = pending.pop(); node; node = pending.pop()) {
    const info = node.constructInfo;
    if (info?.fqn?.startsWith(`${LIBRARY}.`) && info.version) return info.version;
    pending.push(...Object.values(node.children ?? {}));
  }
  return undefined;
}

/** A warning for the start of `local` when the app's library and this CLI differ in version. */
export function versionMismatchNote(assemblyDir: string, ownVersion: string = cliVersion()): string | undefined {
  const library = libraryVersionOf(assemblyDir);
  if (library === undefined || library === ownVersion) return undefined;
  return `cdk-event-sourced-api-cli ${ownVersion} is running an app built with ${LIBRARY} ${library}: ` +
    'the local runtime reads what the library synthesizes, so use the same version of both ' +
    `(npm install --save-dev cdk-event-sourced-api-cli@${library}, or npx --yes cdk-event-sourced-api-cli@${library}).`;
}
