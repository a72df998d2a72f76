import {
  DeleteMessageCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient,
} from '@aws-sdk/client-sqs';
import { LocalQueue } from '../src/local-queue';
import { LocalSqsEndpoint } from '../src/sqs-endpoint';

describe('LocalSqsEndpoint with the real SQS client', () => {
  const endpoint = new LocalSqsEndpoint();
  const standard = new LocalQueue({ name: 'jobs', fifo: false, visibilityTimeoutMs: 60_000 });
  const fifo = new LocalQueue({ name: 'view.fifo', fifo: true, visibilityTimeoutMs: 60_000 });
  let client: SQSClient;
  let base: string;

  beforeAll(async () => {
    base = await endpoint.start();
    endpoint.add(`${base}/1/jobs`, standard);
    endpoint.add(`${base}/1/view.fifo`, fifo);
    client = new SQSClient({ endpoint: base, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
  });
  afterAll(async () => {
    client.destroy();
    await endpoint.stop();
  });

  test('send, delay, counts, receive and delete, with the MD5s the SDK checks', async () => {
    await client.send(new SendMessageCommand({ QueueUrl: `${base}/1/jobs`, MessageBody: 'now' }));
    await client.send(new SendMessageCommand({ QueueUrl: `${base}/1/jobs`, MessageBody: 'later', DelaySeconds: 30 }));
    const counts = await client.send(new GetQueueAttributesCommand({ QueueUrl: `${base}/1/jobs`, AttributeNames: ['All'] }));
    expect(counts.Attributes).toMatchObject({ ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesDelayed: '1', ApproximateNumberOfMessagesNotVisible: '0' });
    const received = await client.send(new ReceiveMessageCommand({ QueueUrl: `${base}/1/jobs`, MaxNumberOfMessages: 10 }));
    expect(received.Messages?.map((m) => m.Body)).toEqual(['now']);
    await client.send(new DeleteMessageCommand({ QueueUrl: `${base}/1/jobs`, ReceiptHandle: received.Messages![0].ReceiptHandle }));
    expect(standard.depth).toBe(1);
    expect((await client.send(new GetQueueUrlCommand({ QueueName: 'view.fifo' }))).QueueUrl).toBe(`${base}/1/view.fifo`);
  });

  test('it refuses what SQS refuses, and sends nothing of a refused request', async () => {
    const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: `d${i}` }));
    const depth = fifo.depth;
    await expect(client.send(new SendMessageBatchCommand({ QueueUrl: `${base}/1/view.fifo`, Entries: entries(11) }))).rejects.toMatchObject({ name: 'TooManyEntriesInBatchRequest' });
    await expect(client.send(new SendMessageBatchCommand({ QueueUrl: `${base}/1/view.fifo`, Entries: [...entries(1), ...entries(1)] }))).rejects.toMatchObject({ name: 'BatchEntryIdsNotDistinct' });
    await expect(client.send(new SendMessageBatchCommand({
      QueueUrl: `${base}/1/view.fifo`, Entries: [{ Id: 'a', MessageBody: 'é'.repeat(530_000), MessageGroupId: 'g', MessageDeduplicationId: 'a' }, ...entries(1)],
    }))).rejects.toMatchObject({ name: expect.stringMatching(/BatchRequestTooLong|InvalidParameterValue/) });
    await expect(client.send(new SendMessageCommand({ QueueUrl: `${base}/1/view.fifo`, MessageBody: 'x', MessageDeduplicationId: 'd' }))).rejects.toMatchObject({ name: expect.stringMatching(/MissingParameter/) });
    await expect(client.send(new SendMessageCommand({ QueueUrl: `${base}/1/view.fifo`, MessageBody: 'x', MessageGroupId: 'g' }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(client.send(new SendMessageCommand({ QueueUrl: `${base}/1/view.fifo`, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd', DelaySeconds: 5 })))
      .rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(client.send(new SendMessageCommand({ QueueUrl: `${base}/1/nope`, MessageBody: 'x' }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
    expect(fifo.depth).toBe(depth);
  });
});
