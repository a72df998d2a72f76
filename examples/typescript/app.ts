import * as path from 'node:path';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import { EventSourcedApi } from '../../src';

export interface ExampleAppOptions {
  /** Also the "emails" view, as a later deploy adds it (the demo shows its backfill). @default false */
  readonly withEmailsView?: boolean;
  /** The emails view's version (the view benchmark raises it to time a rebuild). @default 1 */
  readonly emailsVersion?: number;
  /** Streams a second a backfill sends. @default 100 (the construct's default) */
  readonly catchUpRate?: number;
}

/** The example app: customers, with a "default" view and an order "summary" view. */
export function buildExampleApp(app: App = new App(), options: ExampleAppOptions = {}): Stack {
  const stack = new Stack(app, 'CustomersApi');
  const api = new EventSourcedApi(stack, 'Customers', {
    projections: [
      { name: 'default', entry: path.join(__dirname, 'projections', 'default.ts') },
      { name: 'summary', entry: path.join(__dirname, 'projections', 'summary.ts') },
      ...(options.withEmailsView ? [{ name: 'emails', entry: path.join(__dirname, 'projections', 'email-history.ts'), version: options.emailsVersion }] : []),
    ],
    catchUpRate: options.catchUpRate,
  });
  new CfnOutput(stack, 'ApiUrl', { value: api.url! });
  return stack;
}

if (require.main === module) {
  const app = new App();
  buildExampleApp(app);
  app.synth();
}
