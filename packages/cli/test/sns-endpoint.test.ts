import { CreateTopicCommand, PublishBatchCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { LocalSnsEndpoint, PublishedMessage } from '../src/sns-endpoint';

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
      topicArn: TOPIC, message, groupId: 's', deduplicationId: `s#${i + 1}`, attributes: { type: `T${i}` }, attributeTypes: { type: 'String' },
    })));
  });

  test('Publish delivers one message; a standard topic has no group', async () => {
    const result = await client.send(new PublishCommand({ TopicArn: 'arn:aws:sns:local:000000000000:Standard', Message: 'hello' }));
    expect(result.MessageId).toBeTruthy();
    expect(delivered).toEqual([{
      topicArn: 'arn:aws:sns:local:000000000000:Standard', message: 'hello', groupId: undefined, deduplicationId: undefined, attributes: {}, attributeTypes: {},
    }]);
  });

  /** A FIFO entry whose message and one attribute take exactly `bytes` bytes as SNS counts them. */
  function entry(id: string, bytes: number, groupId = 's') {
    const attribute = { Name: 'type', DataType: 'String', Value: 'T' };
    const overhead = attribute.Name.length + attribute.DataType.length + attribute.Value.length;
    return {
      Id: id,
      // Multi-byte characters: the limit counts UTF-8 bytes, not characters.
      Message: 'é'.repeat(Math.floor((bytes - overhead) / 2)) + 'x'.repeat((bytes - overhead) % 2),
      MessageGroupId: groupId,
      MessageDeduplicationId: id,
      MessageAttributes: { [attribute.Name]: { DataType: attribute.DataType, StringValue: attribute.Value } },
    };
  }
  const publishBatch = (entries: ReturnType<typeof entry>[]) =>
    client.send(new PublishBatchCommand({ TopicArn: TOPIC, PublishBatchRequestEntries: entries }));
  const KIB_256 = 262_144;

  test('PublishBatch refuses more than 10 entries, and delivers none of them', async () => {
    await expect(publishBatch(Array.from({ length: 11 }, (_, i) => entry(`e${i}`, 20)))).rejects.toMatchObject({ name: 'TooManyEntriesInBatchRequestException' });
    expect(delivered).toEqual([]);
    await publishBatch(Array.from({ length: 10 }, (_, i) => entry(`e${i}`, 20)));
    expect(delivered).toHaveLength(10);
  });

  test('PublishBatch refuses messages (attributes included) that add up to more than 256 KiB', async () => {
    const fits = [entry('a', KIB_256 / 4), entry('b', KIB_256 / 4), entry('c', KIB_256 / 4), entry('d', KIB_256 / 4)];
    await publishBatch(fits);
    expect(delivered).toHaveLength(4);
    delivered.length = 0;
    const over = [...fits.slice(0, 3), entry('d', KIB_256 / 4 + 1)];
    await expect(publishBatch(over)).rejects.toMatchObject({ name: 'BatchRequestTooLongException' });
    expect(delivered).toEqual([]);
  });

  test('a single message over 256 KiB is refused, by Publish and by PublishBatch', async () => {
    const big = entry('big', KIB_256 + 1);
    await expect(publishBatch([big])).rejects.toMatchObject({ name: expect.stringMatching(/BatchRequestTooLong|InvalidParameter/) });
    await expect(client.send(new PublishCommand({
      TopicArn: TOPIC, Message: big.Message, MessageGroupId: 's', MessageDeduplicationId: 'big', MessageAttributes: big.MessageAttributes,
    }))).rejects.toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining('Message too long') });
    expect(delivered).toEqual([]);
  });

  test('batch entry ids must be distinct and well-formed; FIFO entries need a group and a deduplication id', async () => {
    await expect(publishBatch([entry('same', 20), entry('same', 20)])).rejects.toMatchObject({ name: 'BatchEntryIdsNotDistinct' + 'Exception' });
    await expect(publishBatch([entry('bad id!', 20)])).rejects.toMatchObject({ name: 'InvalidBatchEntryIdException' });
    await expect(publishBatch([{ ...entry('a', 20), MessageGroupId: undefined as unknown as string }])).rejects.toMatchObject({
      name: 'InvalidParameterException', message: expect.stringContaining('MessageGroupId'),
    });
    await expect(publishBatch([{ ...entry('a', 20), MessageDeduplicationId: undefined as unknown as string }])).rejects.toMatchObject({
      name: 'InvalidParameterException', message: expect.stringContaining('MessageDeduplicationId'),
    });
    expect(delivered).toEqual([]);
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
