import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiDefinition, functionsOf } from './cloud-assembly';

/** Packages a bundle leaves to the Lambda runtime (LAMBDA_BUNDLE_OPTIONS.external). */
const EXTERNAL_REQUIRE = /require\("((?:@aws-sdk|@smithy)\/[^"/]+)[^"]*"\)/g;

export interface PackageCheckOptions {
  /** Whether a package resolves; by default from where the runtime and its functions resolve them. */
  readonly resolves?: (name: string) => boolean;
}

/**
 * The AWS SDK packages the functions of these APIs require that do not resolve. Lambda provides
 * the whole SDK; the local runtime hands its functions the SDK clients this package depends on
 * (those of the library's own functions), so only a user's projection can need more.
 */
export function missingPackages(definitions: ApiDefinition[], options: PackageCheckOptions = {}): string[] {
  const resolves = options.resolves ?? resolvesFromRuntime;
  const wanted = new Set<string>();
  for (const definition of definitions) {
    for (const fn of functionsOf(definition)) {
      const file = path.join(fn.codeDir, `${fn.handler.slice(0, fn.handler.lastIndexOf('.'))}.js`);
      if (!fs.existsSync(file)) continue;
      for (const match of fs.readFileSync(file, 'utf8').matchAll(EXTERNAL_REQUIRE)) wanted.add(match[1]);
    }
  }
  return [...wanted].filter((name) => !resolves(name)).sort();
}

/** Throws an error that names every missing package and the one command that installs them. */
export function requirePackages(definitions: ApiDefinition[], options: PackageCheckOptions = {}): void {
  const missing = missingPackages(definitions, options);
  if (missing.length === 0) return;
  throw new Error(`A function of the app requires ${missing.length === 1 ? 'a package that is' : 'packages that are'} not installed: ` +
    `${missing.join(', ')} (Lambda provides the AWS SDK; locally, install what the CLI does not bring, beside it):\n` +
    `  npm install --save-dev cdk-event-sourced-api-cli ${missing.join(' ')}`);
}

function resolvesFromRuntime(name: string): boolean {
  // Its package.json, or its main module for a package whose exports do not list package.json.
  return [`${name}/package.json`, name].some((request) => {
    try {
      require.resolve(request, { paths: [__dirname] });
      return true;
    } catch {
      return false;
    }
  });
}

