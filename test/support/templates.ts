/**
 * Every template the tests synthesize is written to test-reports/templates (once per distinct
 * content), where `npx projen test:templates` lints them all with cfn-lint.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const TEMPLATE_DIR = path.join(__dirname, '..', '..', 'test-reports', 'templates');

export function recordTemplate(template: unknown): void {
  const text = JSON.stringify(template, undefined, 1);
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  fs.mkdirSync(TEMPLATE_DIR, { recursive: true });
  fs.writeFileSync(path.join(TEMPLATE_DIR, `${hash}.template.json`), text);
}
