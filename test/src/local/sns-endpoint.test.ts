import { CreateTopicCommand, PublishBatchCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { LocalSnsEndpoint, PublishedMessage } from '../../../src/local/sns-endpoint';

const TOPIC = 'arn:aws:sns:local:000000000000:Topic.fifo';

describe('LocalSnsEndpoint with the real SNS client', () => {
  const delivered: PublishedMessage[] = [];
  const endpoint = new LocalSnsEndpoint((m) => delivered.push(m));
  let client: SNSClient;

  beforeAll(async () => {
    const url = await endpoint.start();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    client = new SNSClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  });

  afterAll(async () => {
    client?.destroy();
    await endpoint.stop();
  });

  beforeEach(() => { delivered.length = 0; });

  test('PublishBatch delivers every entry in order, with group, deduplication id and attributes', async () => {
    const messages = ['{"streamId":"s","version":1}', 'a & b < c > d "quoted" é ✓', '{"version":3}'];
    const result = await client.send(new PublishBatchCommand({
      TopicArn: TOPIC,
      PublishBatchRequestEntries: messages.map((message, i) => ({
        Id: `entry-${i}`,
        Message: message,
        MessageGroupId: 's',
        MessageDeduplicationId: `s#${i + 1}`,
        MessageAttributes: { type: { DataType: 'String', StringValue: `T${i}` } },
      })),
    }));
    expect(result.Successful?.map((s) => s.Id)).toEqual(['entry-0', 'entry-1', 'entry-2']);
    expect(result.Successful?.every((s) => typeof s.MessageId === 'string' && s.MessageId.length > 0)).toBe(true);
    expect(result.Failed ?? []).toEqual([]);
    expect(delivered).toEqual(messages.map((message, i) => ({
      topicArn: TOPIC, message, groupId: 's', deduplicationId: `s#${i + 1}`, attributes: { type: `T${i}` },
    })));
  });

  test('Publish delivers one message; a standard topic has no group', async () => {
    const result = await client.send(new PublishCommand({ TopicArn: 'arn:aws:sns:local:000000000000:Standard', Message: 'hello' }));
    expect(result.MessageId).toBeTruthy();
    expect(delivered).toEqual([{ topicArn: 'arn:aws:sns:local:000000000000:Standard', message: 'hello', groupId: undefined, deduplicationId: undefined, attributes: {} }]);
  });

  test('any other action is an SNS error, and nothing is delivered', async () => {
    await expect(client.send(new CreateTopicCommand({ Name: 'x' }))).rejects.toMatchObject({
      // The SDK's name for SNS's InvalidParameter code.
      name: 'InvalidParameterException',
      message: expect.stringContaining('does not support CreateTopic'),
    });
    expect(delivered).toEqual([]);
  });
});
