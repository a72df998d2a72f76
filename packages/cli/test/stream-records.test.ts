/**
 * DynamoDB Streams API records as Lambda delivers them: JSON, so binary attributes are base64
 * strings (what filter criteria match and handlers read), absent parts absent, times in seconds.
 */
import { toLambdaRecord } from '../src/stream-records';

test('binary attributes become base64 strings, absent images are left out, the time is in seconds', () => {
  const record = toLambdaRecord({
    eventID: 'e-1',
    eventName: 'INSERT',
    dynamodb: {
      ApproximateCreationDateTime: new Date(1_796_000_000_500),
      Keys: { streamId: { S: 's' }, version: { N: '1' } },
      NewImage: {
        requestBody: { B: new Uint8Array([123, 125]) },
        set: { BS: [new Uint8Array([0, 255]), Buffer.from('hi')] },
        nested: { M: { inner: { L: [{ B: new Uint8Array([1]) }] } } },
      },
      SequenceNumber: '100',
    },
  }, 'arn:aws:dynamodb:eu-west-1:111111111111:table/t/stream/x');
  expect(record).toStrictEqual({
    eventID: 'e-1',
    eventName: 'INSERT',
    eventSourceARN: 'arn:aws:dynamodb:eu-west-1:111111111111:table/t/stream/x',
    dynamodb: {
      ApproximateCreationDateTime: 1_796_000_000,
      Keys: { streamId: { S: 's' }, version: { N: '1' } },
      NewImage: {
        requestBody: { B: 'e30=' },
        set: { BS: ['AP8=', 'aGk='] },
        nested: { M: { inner: { L: [{ B: 'AQ==' }] } } },
      },
      SequenceNumber: '100',
    },
  });
});
