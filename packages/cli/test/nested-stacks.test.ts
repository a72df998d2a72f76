/**
 * flattenNestedStacks on real synthesized apps: a parent with a nested stack that has a nested
 * stack of its own, references both ways (the parent's resources into the nested stacks through
 * their outputs, the nested stacks' resources to the parent's through their parameters).
 */
import { App, Aws, CfnElement, CfnOutput, CfnResource, CfnStack, Fn, NestedStack, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { IConstruct } from 'constructs';
import { buildExampleApp } from '../../../examples/typescript/app';
import { removeTempDirs, tempDir } from '../../../test/support/local-app';
import { danglingReferences, flatId, flattenedTemplate } from '../../../test/support/nested-stacks';
import { synthApp } from '../../../test/support/templates';
import { pseudoParameters, resolveIntrinsics } from '../src/intrinsics';
import { flattenNestedStacks, Template } from '../src/nested-stacks';

afterAll(() => removeTempDirs());

const cfn = (construct: IConstruct) => construct.node.defaultChild as CfnElement;

/** Parent ⊃ Views-a ⊃ Inner, and an external nested stack whose template is no asset of the app. */
function buildApp(context: Record<string, unknown> = {}) {
  const app = new App({ outdir: tempDir('es-nested-'), context });
  const parent = new Stack(app, 'Parent');
  const topic = new sns.Topic(parent, 'Topic');
  const parentQueue = new sqs.Queue(parent, 'ParentQueue');
  new CfnStack(parent, 'External', { templateUrl: 'https://s3.amazonaws.com/some-bucket/template.json' });

  const views = new NestedStack(parent, 'Views-a');
  const queue = new sqs.Queue(views, 'Queue');
  cfn(queue).overrideLogicalId('Queue');
  const subscription = new sns.Subscription(views, 'Sub', { topic, endpoint: queue.queueArn, protocol: sns.SubscriptionProtocol.SQS });
  const redriven = new sqs.Queue(views, 'Redriven', { deadLetterQueue: { queue: parentQueue, maxReceiveCount: 3 } });
  const subbed = new ssm.CfnParameter(views, 'Subbed', {
    type: 'String',
    value: Fn.sub('${Queue.Arn}|${AWS::StackName}|${AWS::Region}|${!Literal}|${Topic}', { Topic: topic.topicName }),
  });

  const inner = new NestedStack(views, 'Inner');
  const innerQueue = new sqs.Queue(inner, 'InnerQueue', { deadLetterQueue: { queue, maxReceiveCount: 3 } });
  const where = new ssm.CfnParameter(inner, 'Where', { type: 'String', value: Aws.STACK_NAME });
  const twoLevels = new ssm.CfnParameter(inner, 'TwoLevels', { type: 'String', value: Fn.join('', [topic.topicName, '-x']) });

  const usesNested = new sqs.Queue(parent, 'UsesNested', { deadLetterQueue: { queue: innerQueue, maxReceiveCount: 2 } });
  new CfnOutput(parent, 'Out', { value: innerQueue.queueArn });
  const { template, flat } = flattenedTemplate(synthApp(app), 'Parent');
  const ids = {
    topic: flatId(cfn(topic)),
    parentQueue: flatId(cfn(parentQueue)),
    queue: flatId(cfn(queue)),
    innerQueue: flatId(cfn(innerQueue)),
    subscription: flatId(cfn(subscription)),
    redriven: flatId(cfn(redriven)),
    subbed: flatId(subbed),
    where: flatId(where),
    twoLevels: flatId(twoLevels),
    usesNested: flatId(cfn(usesNested)),
    views: flatId(views.nestedStackResource!),
    inner: flatId(inner.nestedStackResource!),
  };
  return { app, template, flat, ids };
}

describe('flattenNestedStacks on a parent, a nested stack and a nested stack in it', () => {
  let built: ReturnType<typeof buildApp>;
  let flat: Template;
  let ids: ReturnType<typeof buildApp>['ids'];
  let resources: NonNullable<Template['Resources']>;
  beforeAll(() => {
    built = buildApp();
    ({ flat, ids } = built);
    resources = flat.Resources!;
  });

  test('every nested resource is in the one map, its id prefixed by its nested stacks\' ids; the stack resources stay', () => {
    // Every CfnResource of the app, under its flattened id (computed from the construct tree).
    const all = built.app.node.findAll().filter((c): c is CfnResource => c instanceof CfnResource).map(flatId);
    expect(Object.keys(resources).sort()).toEqual(all.sort());
    expect(all.filter((id) => id.startsWith(`${ids.inner}-`)).length).toBeGreaterThanOrEqual(3);
    expect(ids.inner).toMatch(new RegExp(`^${ids.views}-[A-Za-z0-9]+$`));
    expect(ids.queue).toBe(`${ids.views}-Queue`);
    expect(resources[ids.views].Type).toBe('AWS::CloudFormation::Stack');
    expect(resources[ids.inner].Type).toBe('AWS::CloudFormation::Stack');
    // The external one: its template is not in the assembly, so it stays as it is.
    expect(Object.keys(resources).filter((id) => id.startsWith('External'))).toEqual(['External']);
  });

  test('a Ref to a nested parameter becomes what the parent passes, through any number of levels', () => {
    expect(resources[ids.subscription].Properties).toMatchObject({ TopicArn: { Ref: ids.topic }, Endpoint: { 'Fn::GetAtt': [ids.queue, 'Arn'] } });
    expect(resources[ids.redriven].Properties.RedrivePolicy.deadLetterTargetArn).toEqual({ 'Fn::GetAtt': [ids.parentQueue, 'Arn'] });
    expect(resources[ids.innerQueue].Properties.RedrivePolicy.deadLetterTargetArn).toEqual({ 'Fn::GetAtt': [ids.queue, 'Arn'] });
    expect(resources[ids.twoLevels].Properties.Value).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.topic, 'TopicName'] }, '-x']] });
  });

  test("a nested output the parent reads becomes the output's value, in the parent's ids", () => {
    expect(resources[ids.usesNested].Properties.RedrivePolicy.deadLetterTargetArn).toEqual({ 'Fn::GetAtt': [ids.innerQueue, 'Arn'] });
    expect(flat.Outputs!.Out.Value).toEqual({ 'Fn::GetAtt': [ids.innerQueue, 'Arn'] });
    expect(JSON.stringify(flat)).not.toMatch(/"Outputs\./);
  });

  test("Fn::Sub: a nested resource's or parameter's ${…} becomes a variable bound to its new expression; literals stay", () => {
    expect(resources[ids.subbed].Properties.Value).toEqual({
      'Fn::Sub': ['${Renamed0}|${Renamed1}|${AWS::Region}|${!Literal}|${Topic}', {
        Topic: { 'Fn::GetAtt': [ids.topic, 'TopicName'] },
        Renamed0: { 'Fn::GetAtt': [ids.queue, 'Arn'] },
        Renamed1: { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, ids.views]] },
      }],
    });
  });

  test("a nested stack's AWS::StackName is its parent's name, a dash and its logical id", () => {
    const pseudo = pseudoParameters('eu-west-1', '111111111111', 'Parent');
    const innerId = ids.inner.slice(ids.views.length + 1);
    expect(resolveIntrinsics(resources[ids.where].Properties.Value, {}, pseudo)).toBe(`Parent-${ids.views}-${innerId}`);
  });

  test('no reference is left dangling', () => {
    expect(danglingReferences(flat)).toEqual([]);
  });

  test('the same with the asset metadata the CDK CLI turns on (the template found by aws:asset:path)', () => {
    const withMetadata = buildApp({ 'aws:cdk:enable-asset-metadata': true });
    const views = withMetadata.template.Resources![withMetadata.ids.views];
    expect(views.Metadata).toMatchObject({ 'aws:asset:path': expect.stringMatching(/\.nested\.template\.json$/) });
    const withoutStacks = (t: Template) => Object.entries(t.Resources!).filter(([, r]) => r.Type !== 'AWS::CloudFormation::Stack');
    expect(withoutStacks(withMetadata.flat)).toEqual(withoutStacks(flat));
  });
});

describe('flattenNestedStacks: no nested stacks, and templates that cannot be flattened', () => {
  test('a template without nested stacks comes back as it is, and loads nothing', () => {
    const app = new App({ outdir: tempDir('es-nested-') });
    buildExampleApp(app);
    const template = synthApp(app).stacks[0].template as Template;
    const load = jest.fn();
    expect(flattenNestedStacks(template, load)).toBe(template);
    expect(load).not.toHaveBeenCalled();
  });

  test('a parameter the parent does not pass (and without a default), or an output the nested stack lacks, is an error naming it', () => {
    const child: Template = {
      Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { Ref: 'Name' }, Tags: [{ Key: 'k', Value: { Ref: 'Tag' } }] } } },
      Parameters: { Name: { Type: 'String' } as any, Tag: { Default: 'dflt' } },
      Outputs: { Arn: { Value: { 'Fn::GetAtt': ['Q', 'Arn'] } } },
    };
    const parent = (parameters: Record<string, unknown>, output: string): Template => ({
      Resources: {
        N: { Type: 'AWS::CloudFormation::Stack', Properties: { Parameters: parameters } },
        User: { Type: 'AWS::SQS::Queue', Properties: { RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['N', `Outputs.${output}`] } } } },
      },
    });
    const flat = flattenNestedStacks(parent({ Name: 'orders' }, 'Arn'), () => child);
    expect(flat.Resources!['N-Q'].Properties).toEqual({ QueueName: 'orders', Tags: [{ Key: 'k', Value: 'dflt' }] });
    expect(flat.Resources!.User.Properties.RedrivePolicy.deadLetterTargetArn).toEqual({ 'Fn::GetAtt': ['N-Q', 'Arn'] });
    expect(() => flattenNestedStacks(parent({}, 'Arn'), () => child))
      .toThrow('Nested stack N: its template\'s parameter Name has no default, and the parent passes no value for it');
    expect(() => flattenNestedStacks(parent({ Name: 'orders' }, 'Url'), () => child)).toThrow('Fn::GetAtt N.Outputs.Url: the nested stack N has no output Url');
  });

  test("a nested template's conditions and mappings are prefixed like its resources", () => {
    const child: Template = {
      Resources: { Q: { Type: 'AWS::SQS::Queue', Condition: 'Fifo', Properties: { FifoQueue: { 'Fn::If': ['Fifo', true, { Ref: 'AWS::NoValue' }] }, DelaySeconds: { 'Fn::FindInMap': ['Delays', 'x', 'y'] } } } },
      Conditions: { Fifo: { 'Fn::Equals': [{ Ref: 'Kind' }, 'fifo'] }, Both: { 'Fn::And': [{ Condition: 'Fifo' }, { Condition: 'Fifo' }] } },
      Mappings: { Delays: { x: { y: 5 } } },
      Parameters: { Kind: {} },
    };
    const flat = flattenNestedStacks({ Resources: { N: { Type: 'AWS::CloudFormation::Stack', Properties: { Parameters: { Kind: { Ref: 'KindParameter' } } } } } }, () => child);
    expect(flat.Resources!['N-Q']).toEqual({
      Type: 'AWS::SQS::Queue',
      Condition: 'N-Fifo',
      Properties: { FifoQueue: { 'Fn::If': ['N-Fifo', true, { Ref: 'AWS::NoValue' }] }, DelaySeconds: { 'Fn::FindInMap': ['N-Delays', 'x', 'y'] } },
    });
    expect(flat.Conditions).toEqual({
      'N-Fifo': { 'Fn::Equals': [{ Ref: 'KindParameter' }, 'fifo'] },
      'N-Both': { 'Fn::And': [{ Condition: 'N-Fifo' }, { Condition: 'N-Fifo' }] },
    });
    expect(flat.Mappings).toEqual({ 'N-Delays': { x: { y: 5 } } });
  });
});
