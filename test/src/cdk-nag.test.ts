import { App, Stack, Validations } from 'aws-cdk-lib';
import { TokenAuthorizer } from 'aws-cdk-lib/aws-apigateway';
import { HttpLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { FeaturePlan, Mfa, StandardThreatProtectionMode, UserPool } from 'aws-cdk-lib/aws-cognito';
import { Key } from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { ApiAuthorization, ApiKind, EventSourcedApi, EventSourcedApiProps, IndexKeyType, UnknownEventTypes, WritePath } from '../../src';
import { acknowledgeScanners, SCANNER_REASONS } from '../../src/private/acknowledge';
import { twoViews } from '../support/synth';
import { synthApp } from '../support/templates';

// cdk-nag's AwsSolutions pack over the synthesized construct. aws-cdk-lib 2.257 does not hand the
// construct tree to validation plugins, so the pack runs through its direct entry, validateScope().
function nag(props: EventSourcedApiProps | ((stack: Stack) => EventSourcedApiProps)) {
  const app = new App();
  const stack = new Stack(app, 'NagStack');
  new EventSourcedApi(stack, 'Api', typeof props === 'function' ? props(stack) : props);
  synthApp(app);
  return { app, report: new AwsSolutionsChecks(app).validateScope(app) };
}

/** A user pool as AwsSolutions wants one (MFA, advanced security, a strong password policy). */
function nagCompliantUserPool(stack: Stack): UserPool {
  const pool = new UserPool(stack, 'Users', {
    mfa: Mfa.REQUIRED,
    mfaSecondFactor: { sms: false, otp: true },
    passwordPolicy: { minLength: 12, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true },
    featurePlan: FeaturePlan.PLUS,
    standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
  });
  return pool;
}

/** An authorizer function of the user's own. */
function userFunction(stack: Stack): lambda.IFunction {
  const fn = new lambda.Function(stack, 'AuthFunction', {
    runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({});'),
  });
  // The app's own function: CDK writes the same redundant DependsOn on its role as on ours (cfn-lint reads every template tests make).
  acknowledgeScanners(fn, { cfnLint: { W3005: SCANNER_REASONS.redundantDependsOn } });
  return fn;
}

function acknowledgments(root: IConstruct): Array<[string, unknown]> {
  return root.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, unknown>)));
}

describe('cdk-nag AwsSolutions', () => {
  test.each<[string, EventSourcedApiProps | ((stack: Stack) => EventSourcedApiProps)]>([
    ['FIFO, IAM auth (defaults)', { projections: twoViews() }],
    ['standard fan-out', { projections: twoViews(), fifo: false }],
    ['no authorization, CORS', { projections: twoViews(), api: { authorization: ApiAuthorization.none(), cors: { allowOrigins: ['*'] } } }],
    ['no API, no projections', { api: { enabled: false } }],
    ['customer managed key', (stack) => ({ projections: twoViews(), encryptionKey: new Key(stack, 'Key', { enableKeyRotation: true }) })],
    ['Cognito authorization with scopes, API keys and a usage plan', (stack) => ({
      projections: twoViews(),
      api: {
        authorization: ApiAuthorization.cognito(nagCompliantUserPool(stack), ['orders/write']),
        apiKeyRequired: true,
        usagePlan: { quotaLimit: 10_000, throttlingRateLimit: 10, throttlingBurstLimit: 20 },
      },
    })],
    ['HTTP API, IAM auth, CORS', { projections: twoViews(), api: { kind: ApiKind.HTTP, cors: { allowOrigins: ['https://app.example.com'] } } }],
    ['HTTP API, Cognito JWT with scopes', (stack) => {
      const pool = nagCompliantUserPool(stack);
      return { projections: twoViews(), api: { kind: ApiKind.HTTP, authorization: ApiAuthorization.cognito(pool, ['orders/write'], [pool.addClient('Web')]) } };
    }],
    ['HTTP API, no authorization', { projections: twoViews(), api: { kind: ApiKind.HTTP, authorization: ApiAuthorization.none() } }],
    ['event schemas, unknown types refused', {
      projections: twoViews(), eventSchemas: { CustomerRegistered: { type: 'object' } }, unknownEventTypes: UnknownEventTypes.REJECT,
    }],
    ['direct write path, CORS', { projections: twoViews(), api: { writePath: WritePath.DIRECT, cors: { allowOrigins: ['https://app.example.com'] } } }],
    ['a view with indexes (the reader may Query its indexes)', {
      projections: twoViews()!.map((p) => (p.name === 'summary'
        ? { ...p, indexes: [{ name: 'bySpend', partitionKey: { field: 'orders', type: IndexKeyType.NUMBER }, sortKey: { field: 'totalCents', type: IndexKeyType.NUMBER } }] }
        : p)),
    }],
    ['direct write path, customer managed key', (stack) => ({
      projections: twoViews(), api: { writePath: WritePath.DIRECT }, encryptionKey: new Key(stack, 'Key', { enableKeyRotation: true }),
    })],
  ])('%s: no unacknowledged finding', (_name, props) => {
    const { report } = nag(props);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  test.each<[string, (stack: Stack) => EventSourcedApiProps]>([
    ['a REST Lambda token authorizer', (stack) => ({
      projections: twoViews(), api: { authorization: ApiAuthorization.authorizer(new TokenAuthorizer(stack, 'Auth', { handler: userFunction(stack) })) },
    })],
    ['an HTTP API Lambda authorizer', (stack) => ({
      projections: twoViews(),
      api: { kind: ApiKind.HTTP, authorization: ApiAuthorization.httpAuthorizer(new HttpLambdaAuthorizer('Auth', userFunction(stack))) },
    })],
  ])('%s: no unacknowledged finding on the construct\'s resources (the user\'s authorizer function is theirs)', (_name, props) => {
    const { report } = nag(props);
    const findings = report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName}: ${r.constructPath}`));
    expect(findings.filter((finding) => finding.includes('NagStack/Api/'))).toEqual([]);
    // Not vacuous: the user's own function is judged.
    expect(findings.some((finding) => finding.includes('NagStack/AuthFunction'))).toBe(true);
  });

  test('every acknowledgment carries a reason', () => {
    const { app } = nag({ projections: twoViews() });
    const acks = acknowledgments(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const [id, reason] of acks) {
      expect(id).toMatch(/^AwsSolutions-/);
      expect(typeof reason === 'string' && reason.length > 20).toBe(true);
    }
  });

  test('every checkov and cfn-lint acknowledgment in the template carries a reason', () => {
    const { app } = nag({ projections: twoViews() });
    const resources = Object.values(app.synth().getStackByName('NagStack').template.Resources as Record<string, { Metadata?: any }>);
    const checkov = resources.flatMap((r) => r.Metadata?.checkov?.skip ?? []);
    const cfnLint = resources.map((r) => r.Metadata?.['cfn-lint']?.config).filter(Boolean);
    expect(checkov.length).toBeGreaterThan(0);
    expect(cfnLint.length).toBeGreaterThan(0);
    for (const skip of checkov) expect(skip).toEqual({ id: expect.stringMatching(/^CKV_AWS_\d+$/), comment: expect.stringMatching(/.{40,}/) });
    for (const config of cfnLint) {
      for (const id of config.ignore_checks) expect(config.reasons[id]).toMatch(/.{40,}/);
    }
  });

  test('the pack does find problems: an unacknowledged queue without DLQ is reported', () => {
    const app = new App();
    const stack = new Stack(app, 'Bad');
    new Queue(stack, 'Plain');
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toContain('AwsSolutions-SQS3');
  });
});
