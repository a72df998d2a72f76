/**
 * encryptionKey: AWS managed encryption by default; with a customer managed key, everything the
 * construct stores uses it, the key policy lets SNS and CloudWatch Logs use it, and each function
 * may use it only as far as its job needs.
 */
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { actionsOf, logicalId, statementsOfFunction, synth, twoViews } from '../support/synth';

type Resources = Record<string, { Type: string; Properties: any; Metadata?: any }>;

const ofType = (template: Template, type: string) => Object.values(template.toJSON().Resources as Resources).filter((r) => r.Type === type);
const checkovSkips = (template: Template) => Object.values(template.toJSON().Resources as Resources)
  .flatMap((r) => (r.Metadata?.checkov?.skip ?? []) as Array<{ id: string; comment: string }>);

describe('without encryptionKey (default): AWS managed encryption, no key in the template', () => {
  const { template } = synth({ projections: twoViews() });

  test('tables use the AWS managed key, queues SSE-SQS, the topic aws/sns, logs and environments their defaults', () => {
    template.resourceCountIs('AWS::KMS::Key', 0);
    for (const table of ofType(template, 'AWS::DynamoDB::Table')) expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true });
    for (const queue of ofType(template, 'AWS::SQS::Queue')) {
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
      expect(queue.Properties.KmsMasterKeyId).toBeUndefined();
    }
    expect(JSON.stringify(ofType(template, 'AWS::SNS::Topic')[0].Properties.KmsMasterKeyId)).toContain('alias/aws/sns');
    for (const group of ofType(template, 'AWS::Logs::LogGroup')) expect(group.Properties.KmsKeyId).toBeUndefined();
    for (const fn of ofType(template, 'AWS::Lambda::Function')) expect(fn.Properties.KmsKeyArn).toBeUndefined();
  });

  test('the scanner findings that a key would fix are acknowledged, each with its reason', () => {
    const skipped = checkovSkips(template).map((s) => s.id);
    expect(new Set(skipped)).toEqual(new Set(['CKV_AWS_116', 'CKV_AWS_117', 'CKV_AWS_115', 'CKV_AWS_173', 'CKV_AWS_158', 'CKV_AWS_119', 'CKV_AWS_27', 'CKV_AWS_120']));
    for (const skip of checkovSkips(template)) expect(skip.comment.length).toBeGreaterThan(40);
  });
});

describe('with encryptionKey', () => {
  const { template: t } = synth((s) => ({
    projections: twoViews(), api: { cors: { allowOrigins: ['*'] } }, encryptionKey: new kms.Key(s, 'Key', { enableKeyRotation: true }),
  }));
  const keyRef = { 'Fn::GetAtt': [logicalId(t, 'AWS::KMS::Key', 'Key'), 'Arn'] };

  test('every table, queue, the topic, every log group and every function environment use the key', () => {
    const tables = ofType(t, 'AWS::DynamoDB::Table');
    expect(tables).toHaveLength(4); // events, two views, the view registry
    for (const table of tables) expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyRef });
    const queues = ofType(t, 'AWS::SQS::Queue');
    expect(queues).toHaveLength(7);
    for (const queue of queues) expect(queue.Properties.KmsMasterKeyId).toEqual(keyRef);
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: keyRef });
    const groups = ofType(t, 'AWS::Logs::LogGroup');
    expect(groups).toHaveLength(7);
    for (const group of groups) expect(group.Properties.KmsKeyId).toEqual(keyRef);
    const functions = ofType(t, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(6);
    for (const fn of functions) expect(fn.Properties.KmsKeyArn).toEqual(keyRef);
  });

  test('the key policy lets SNS deliver to the queues and CloudWatch Logs use it for this account\'s log groups', () => {
    const [key] = ofType(t, 'AWS::KMS::Key');
    const statements: any[] = key.Properties.KeyPolicy.Statement;
    const sns = statements.filter((s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: 'sns.amazonaws.com' }));
    expect(sns.length).toBeGreaterThan(0);
    for (const s of sns) expect(actionsOf([s]).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    const logs = statements.filter((s) => JSON.stringify(s.Principal).includes('logs.'));
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      Effect: 'Allow',
      Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': expect.anything() } },
    });
    expect(JSON.stringify(logs[0].Condition)).toContain(':log-group:*');
  });

  test('each function may use the key as far as its job needs: the reader only decrypts', () => {
    const kmsActions = (fn: string) => actionsOf(statementsOfFunction(t, fn).filter((s) => JSON.stringify(s.Resource) === JSON.stringify(keyRef)))
      .filter((a) => a.startsWith('kms:'));
    expect(kmsActions('ApiReader').sort()).toEqual(['kms:Decrypt']);
    expect(kmsActions('ApiWriter')).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*']));
    expect(kmsActions('ApiPublisher')).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']));
    for (const view of ['default', 'summary']) expect(kmsActions(`ApiProjection${view}Aggregator`)).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:Encrypt']));
  });

  test('findings the key fixes are no longer acknowledged; the others still are', () => {
    const skipped = new Set(checkovSkips(t).map((s) => s.id));
    for (const fixed of ['CKV_AWS_173', 'CKV_AWS_158', 'CKV_AWS_119', 'CKV_AWS_27']) expect(skipped.has(fixed)).toBe(false);
    for (const kept of ['CKV_AWS_116', 'CKV_AWS_117', 'CKV_AWS_115', 'CKV_AWS_120']) expect(skipped.has(kept)).toBe(true);
  });
});

test('an imported key: a synth warning says what its key policy must allow', () => {
  const { stack } = synth((s) => ({
    projections: twoViews(),
    encryptionKey: kms.Key.fromKeyArn(s, 'Imported', 'arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000000'),
  }));
  Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('encryptionKey is imported.*sns.amazonaws.com.*logs.<region>.amazonaws.com'));
});
