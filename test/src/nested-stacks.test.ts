/**
 * Views in nested stacks (a projection's `nestedStack`): 100 views, every template within
 * CloudFormation's limits, and nothing in the API's own stack that grows with the views.
 */
import { App, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EventSourcedApi, Projection, ProjectionDefinition } from '../../src';
import { COUNTER } from '../support/synth';
import { templateOf } from '../support/templates';

/** CloudFormation's quotas (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html). */
const MAX_RESOURCES = 500;
const MAX_PARAMETERS = 200;
/** Lambda's quota on a function's environment variables, all together (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). */
const MAX_ENVIRONMENT_BYTES = 4096;
/** IAM's quota on a role's inline policies, all together (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). */
const MAX_ROLE_POLICY_CHARS = 10_240;

const views = (count: number, group: (i: number) => string | undefined): ProjectionDefinition[] =>
  Array.from({ length: count }, (_, i) => ({ name: `view-${i}`, entry: COUNTER, nestedStack: group(i) }));

describe('100 views in 4 nested stacks', () => {
  const app = new App();
  const stack = new Stack(app, 'Shop', { env: { account: '111111111111', region: 'eu-west-1' } });
  const api = new EventSourcedApi(stack, 'Api', { projections: views(100, (i) => `views-${i % 4}`) });
  const parent = templateOf(stack);
  const nested = stack.node.findAll().filter((c): c is NestedStack => NestedStack.isNestedStack(c));
  const children = nested.map((n) => ({ name: n.node.id, template: templateOf(n) }));
  const resourcesOf = (t: Template) => t.toJSON().Resources as Record<string, { Type: string; Properties?: any }>;

  test('four nested stacks of 25 views each; every template holds at most 500 resources and 200 parameters', () => {
    expect(children.map((c) => c.name).sort()).toEqual(['Views-views-0', 'Views-views-1', 'Views-views-2', 'Views-views-3']);
    for (const { template } of [{ template: parent }, ...children]) {
      expect(Object.keys(resourcesOf(template)).length).toBeLessThanOrEqual(MAX_RESOURCES);
      expect(Object.keys(template.toJSON().Parameters ?? {}).length).toBeLessThanOrEqual(MAX_PARAMETERS);
    }
    for (const { template } of children) expect(Object.keys(template.findResources('Custom::ViewBackfill'))).toHaveLength(25);
    expect(api.projections).toHaveLength(100);
  });

  test('the API\'s own stack has no resource per view, and references nothing of the nested stacks', () => {
    const resources = resourcesOf(parent);
    expect(Object.values(resources).filter((r) => ['Custom::ViewBackfill', 'AWS::SQS::Queue', 'AWS::DynamoDB::Table'].includes(r.Type)).length)
      .toBe(5); // the events table, the view registry, the jobs queue and its dead-letter queue, the publisher's failure queue
    expect(JSON.stringify(resources)).not.toMatch(/Outputs\./);
    // The same API with 4 views in the same nested stacks: the parent is as large.
    const small = new Stack(new App(), 'Small', { env: { account: '111111111111', region: 'eu-west-1' } });
    new EventSourcedApi(small, 'Api', { projections: views(4, (i) => `views-${i % 4}`) });
    expect(Object.keys(resourcesOf(templateOf(small))).length).toBe(Object.keys(resources).length);
  });

  test('the reader\'s and maintenance function\'s environments and role policies stay within Lambda\'s and IAM\'s limits', () => {
    const resources = resourcesOf(parent);
    const functions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    for (const [, fn] of functions) {
      const bytes = Object.entries<unknown>(fn.Properties.Environment?.Variables ?? {})
        .reduce((sum, [name, value]) => sum + name.length + JSON.stringify(stack.resolve(value)).length, 0);
      expect(bytes).toBeLessThan(MAX_ENVIRONMENT_BYTES / 4); // resolved names are longer than references, but not 4 times
    }
    const byRole = new Map<string, number>();
    for (const r of Object.values(resources).filter((x) => x.Type === 'AWS::IAM::Policy')) {
      const chars = JSON.stringify(r.Properties.PolicyDocument).length;
      for (const role of r.Properties.Roles) byRole.set(JSON.stringify(role), (byRole.get(JSON.stringify(role)) ?? 0) + chars);
    }
    for (const chars of byRole.values()) expect(chars).toBeLessThan(MAX_ROLE_POLICY_CHARS / 4);
  });

  test('each nested view grants the reader and maintenance roles in its table\'s and queue\'s own policies, and subscribes by the topic\'s ARN', () => {
    const { template } = children[0];
    const resources = resourcesOf(template);
    const parameters = Object.keys(template.toJSON().Parameters);
    const role = (fragment: string) => parameters.find((p) => p.includes(fragment) && p.includes('Role'))!;
    const topic = parameters.find((p) => p.includes('Topic'))!;
    for (const table of Object.values(resources).filter((r) => r.Type === 'AWS::DynamoDB::Table')) {
      const principals = table.Properties.ResourcePolicy.PolicyDocument.Statement.map((s: any) => s.Principal.AWS.Ref).sort();
      expect(principals).toEqual([role('Maintenance'), role('Reader')].sort());
    }
    for (const subscription of Object.values(resources).filter((r) => r.Type === 'AWS::SNS::Subscription')) {
      expect(subscription.Properties).toMatchObject({ TopicArn: { Ref: topic }, Protocol: 'sqs', RawMessageDelivery: true });
    }
  });
});

describe('where views fit', () => {
  const synthError = (projections: ProjectionDefinition[]): string => {
    const stack = new Stack(new App(), 'Crowded');
    new EventSourcedApi(stack, 'Api', { projections });
    try {
      (stack.node.root as App).synth();
      return '';
    } catch (err) {
      return String((err as Error).message);
    }
  };

  test('40 views over two nested stacks synthesize; 40 in one nested stack fail naming that nested stack', () => {
    expect(synthError(views(40, (i) => (i < 20 ? 'one' : 'two')))).toBe('');
    const message = synthError(views(40, () => 'one'));
    expect(message).toMatch(/Nested stack "Crowded\/Api\/Views-one" would have \d{3} CloudFormation resources/);
    expect(message).toMatch(/for its 40 views \(1\d each: .*about 3\d views fit in each/s);
  });

  // The figures the nestedStack docstring and docs/throughput.md give: 15 resources per view
  // (12 without alarms), in the API's stack or a nested one, so 33 views fill a nested stack.
  test('a view adds 15 resources to its stack, nested or not, so 33 fit in a nested stack', () => {
    const resourceCount = (count: number, group?: string, alarms = true) => {
      const stack = new Stack(new App(), 'Measured');
      new EventSourcedApi(stack, 'Api', { projections: views(count, () => group), alarms: { enabled: alarms } });
      const home = group ? stack.node.findAll().find((c): c is NestedStack => NestedStack.isNestedStack(c))! : stack;
      return Object.keys(templateOf(home).toJSON().Resources).length;
    };
    expect(resourceCount(3) - resourceCount(2)).toBe(15);
    expect(resourceCount(3, 'g') - resourceCount(2, 'g')).toBe(15);
    expect(resourceCount(3, 'g', false) - resourceCount(2, 'g', false)).toBe(12);
    expect(Math.floor(500 / 15)).toBe(33);
  });

  test('a nestedStack name that cannot name a stack is refused at synth, naming the prop', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => new EventSourcedApi(stack, 'Api', { projections: [{ name: 'a', entry: COUNTER, nestedStack: 'Bad Name' }] }))
      .toThrow(/projections\[0\]\.nestedStack "Bad Name" is invalid/);
    // A Projection of one's own goes in the scope it is given.
    const topic = new sns.Topic(stack, 'T');
    const eventsTable = new dynamodb.Table(stack, 'E', { partitionKey: { name: 'streamId', type: dynamodb.AttributeType.STRING } });
    expect(() => new Projection(stack, 'P', { name: 'a', entry: COUNTER, topic, eventsTable, nestedStack: 'x' }))
      .toThrow(/nestedStack applies only to the projections of an EventSourcedApi/);
  });
});
