import { LocalResource, pseudoParameters, resolveIntrinsics as resolveIn } from '../src/intrinsics';

/** Resolves as for a stack "Orders" deployed to eu-west-1 in account 111111111111. */
const resolveIntrinsics = (value: unknown, resources: Record<string, LocalResource>) =>
  resolveIn(value, resources, pseudoParameters('eu-west-1', '111111111111', 'Orders'));

const resources: Record<string, LocalResource> = {
  EventsTable: { ref: 'local-events', attributes: { Arn: 'arn:aws:dynamodb:local:000000000000:table/local-events' } },
  Topic: { ref: 'arn:aws:sns:local:000000000000:Topic.fifo', attributes: { TopicName: 'Topic.fifo' } },
};

describe('resolveIntrinsics', () => {
  test('plain values become strings', () => {
    expect(resolveIntrinsics('text', resources)).toBe('text');
    expect(resolveIntrinsics(42, resources)).toBe('42');
    expect(resolveIntrinsics(true, resources)).toBe('true');
  });

  test('Ref: a resource gives its local value, a pseudo parameter the stack\'s', () => {
    expect(resolveIntrinsics({ Ref: 'EventsTable' }, resources)).toBe('local-events');
    expect(resolveIntrinsics({ Ref: 'AWS::Region' }, resources)).toBe('eu-west-1');
    expect(resolveIntrinsics({ Ref: 'AWS::AccountId' }, resources)).toBe('111111111111');
    expect(resolveIntrinsics({ Ref: 'AWS::StackName' }, resources)).toBe('Orders');
    expect(resolveIntrinsics({ Ref: 'AWS::Partition' }, resources)).toBe('aws');
    expect(resolveIntrinsics({ Ref: 'AWS::URLSuffix' }, resources)).toBe('amazonaws.com');
  });

  test('Fn::GetAtt gives the attribute', () => {
    expect(resolveIntrinsics({ 'Fn::GetAtt': ['EventsTable', 'Arn'] }, resources)).toBe('arn:aws:dynamodb:local:000000000000:table/local-events');
    expect(resolveIntrinsics({ 'Fn::GetAtt': ['Topic', 'TopicName'] }, resources)).toBe('Topic.fifo');
  });

  test('Fn::Join and Fn::Select, nested, as CDK writes them (e.g. a JSON environment value)', () => {
    const viewTables = { 'Fn::Join': ['', ['{"default":"', { Ref: 'EventsTable' }, '","region":"', { Ref: 'AWS::Region' }, '"}']] };
    expect(JSON.parse(resolveIntrinsics(viewTables, resources))).toEqual({ default: 'local-events', region: 'eu-west-1' });
    expect(resolveIntrinsics({ 'Fn::Select': [1, ['a', { Ref: 'EventsTable' }, 'c']] }, resources)).toBe('local-events');
    expect(resolveIntrinsics({ 'Fn::Join': ['/', [{ 'Fn::Select': [0, [{ 'Fn::GetAtt': ['Topic', 'TopicName'] }]] }, 'x']] }, resources)).toBe('Topic.fifo/x');
  });

  test('what cannot be resolved is an error naming it', () => {
    expect(() => resolveIntrinsics({ Ref: 'Elsewhere' }, resources)).toThrow(/Ref to Elsewhere/);
    expect(() => resolveIntrinsics({ 'Fn::GetAtt': ['EventsTable', 'StreamArn'] }, resources)).toThrow(/EventsTable\.StreamArn/);
    expect(() => resolveIntrinsics({ 'Fn::GetAtt': ['Nothing', 'Arn'] }, resources)).toThrow(/Nothing\.Arn/);
    expect(() => resolveIntrinsics({ 'Fn::Sub': 'x-${AWS::Region}' }, resources)).toThrow(/Unsupported intrinsic Fn::Sub/);
    expect(() => resolveIntrinsics({ 'Fn::ImportValue': 'Shared' }, resources)).toThrow(/Fn::ImportValue/);
    expect(() => resolveIntrinsics(null, resources)).toThrow(/Cannot resolve null/);
  });
});
