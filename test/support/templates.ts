/**
 * Every template the tests synthesize is written to test-reports/templates (once per distinct
 * content), where `npx projen test:templates` lints them all with cfn-lint. A test that
 * synthesizes goes through `templateOf` (for assertions) or `synthApp` (for a cloud assembly), or
 * hands a template it read itself (the Python and Java example apps) to `recordTemplate`; only a
 * synth that is meant to fail is left out.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';

export const TEMPLATE_DIR = path.join(__dirname, '..', '..', 'test-reports', 'templates');

export function recordTemplate(template: unknown): void {
  const text = JSON.stringify(template, undefined, 1);
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  fs.mkdirSync(TEMPLATE_DIR, { recursive: true });
  fs.writeFileSync(path.join(TEMPLATE_DIR, `${hash}.template.json`), text);
}

/** `Template.fromStack(stack)`, with the template recorded. */
export function templateOf(stack: Stack): Template {
  const template = Template.fromStack(stack);
  recordTemplate(template.toJSON());
  return template;
}

/** `app.synth()`, with the template of every stack in it (nested stages too) recorded. */
export function synthApp(app: Stage): CloudAssembly {
  const assembly = app.synth();
  for (const stack of assembly.stacksRecursively) recordTemplate(stack.template);
  return assembly;
}
