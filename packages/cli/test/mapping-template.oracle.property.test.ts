/**
 * Every mapping template WritePath.DIRECT synthesizes (the integration request, each integration
 * response, the gateway responses), rendered by the local renderer and by Apache Velocity 1.7 (the
 * engine API Gateway documents, with stand-ins for $input/$util/$context written from AWS's
 * reference: test/oracles/velocity), over generated requests and every answer DynamoDB can give
 * the TransactWriteItems call: the outputs, statuses and header overrides must be identical.
 */
import * as fc from 'fast-check';
import { EVENT_ID_MARKER_PREFIX, KEYS } from '../../../src/contract';
import { runs, storableData } from '../../../test/support/arbitraries';
import { directDefinition } from '../../../test/support/direct-append';
import { OracleAnswer, OracleRequest, VelocityOracle } from '../../../test/support/velocity-oracle';
import { AwsIntegrationDefinition, LocalAwsIntegration } from '../src/aws-integration';
import { renderMappingTemplate } from '../src/mapping-template';
import { RequestBodyValidator } from '../src/request-validator';

const TABLE = 'events-table';
/** A small limit (so the too-large branch is taken) and the default one, with another stream id field. */
const APIS = [
  { streamIdField: 'id', maxBodyBytes: 300 },
  { streamIdField: 'orderId', maxBodyBytes: undefined },
];

let oracle: VelocityOracle;
let definitions: AwsIntegrationDefinition[];

beforeAll(() => {
  oracle = VelocityOracle.start();
  definitions = APIS.map((options) => directDefinition(TABLE, options));
});

afterAll(async () => {
  await oracle.stop();
});

interface Rendering {
  readonly output?: string;
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly error?: boolean;
}

function local(template: string, request: OracleRequest): Rendering {
  try {
    const { output, status, headers } = renderMappingTemplate(template, { body: request.body, params: request.params }, request.context ?? {});
    return { output, status, headers };
  } catch {
    return { error: true };
  }
}

function velocity(answer: OracleAnswer): Rendering {
  return answer.error !== undefined ? { error: true } : { output: answer.output, status: answer.status, headers: answer.headers ?? {} };
}

/**
 * Renders every case both ways (the oracle in one batch) and expects the same answers, naming the
 * first that differs: the properties run batches without shrinking (runs(n, { shrink: false })),
 * since the message already names the case and shrinking batches would outlast the timeout.
 */
async function expectSame(cases: Array<{ template: string; request: OracleRequest }>): Promise<void> {
  const answers = await oracle.renderAll(cases);
  cases.forEach(({ template, request }, i) => {
    const mine = local(template, request);
    const theirs = velocity(answers[i]);
    if (JSON.stringify(mine) !== JSON.stringify(theirs)) {
      throw new Error(`local and Velocity 1.7 differ on ${JSON.stringify(request)}\nlocal:    ${JSON.stringify(mine)}\nVelocity: ${JSON.stringify(theirs)}${answers[i].error ? `\n(${answers[i].error})` : ''}\ntemplate:\n${template}`);
    }
  });
}

// ---- requests ----

/** Stream ids and types as the model takes them (printable, valid Unicode), with the characters that need escaping. */
const printable = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }) },
  { weight: 2, arbitrary: fc.constantFrom('a"b', 'a\\b', 'it\'s', '\\\'', '😀', 'é', '\u2028x', '</script>', 'a/b', '"', '\\', '#set', '$x', 'x$', '##', 'a\\"\'b', '\ufeff', '日本') },
).filter((s) => s.length > 0 && !/[\u0000-\u001f\u007f]/.test(s));
const streamId = printable.filter((s) => !s.startsWith('$'));
const eventId = fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/);
/** expectedVersion as written in the body: the model takes any whole number, however spelt. */
const VERSION_TEXTS = ['0', '1', '1.0', '0e0', '1e2', '-0', '2', '41', '10.0', '1E1', '0.0', '10e-1', '2147483647', '2147483648', '9007199254740990', '1.5e1'];

const body = fc.record({
  type: printable,
  streamId,
  eventId: fc.option(eventId, { nil: undefined }),
  version: fc.constantFrom(...VERSION_TEXTS),
  data: storableData,
  spaced: fc.boolean(),
}).map(({ type, streamId: id, eventId: eid, version, data, spaced }) => (api: number) => {
  const field = APIS[api].streamIdField;
  const sep = spaced ? ' ' : '';
  const members = [
    `"type":${sep}${JSON.stringify(type)}`,
    `${JSON.stringify(field)}:${sep}${JSON.stringify(id)}`,
    `"expectedVersion":${sep}${version}`,
    ...(eid === undefined ? [] : [`"eventId":${sep}${JSON.stringify(eid)}`]),
    ...Object.entries(data).filter(([k]) => k !== field && k !== 'orderId' && k !== 'id').map(([k, v]) => `${JSON.stringify(k)}:${sep}${JSON.stringify(v)}`),
  ];
  return `{${members.join(`,${sep}`)}}`;
});

const context = fc.record({
  requestId: fc.uuid(),
  requestTimeEpoch: fc.integer({ min: 1_700_000_000_000, max: 2_000_000_000_000 }),
});

// ---- DynamoDB's answers ----

const stored = fc.record({ stream: streamId, version: fc.integer({ min: 1, max: 2 ** 40 }), eventId });
const marker = stored.map(({ stream, version, eventId: eid }) => ({
  [KEYS.streamId]: { S: `${EVENT_ID_MARKER_PREFIX}${eid}` }, [KEYS.version]: { N: '0' }, eventStreamId: { S: stream }, eventVersion: { N: String(version) },
}));
const event = stored.map(({ stream, version, eventId: eid }) => ({
  [KEYS.streamId]: { S: stream }, [KEYS.version]: { N: String(version) }, eventId: { S: eid }, type: { S: 'Created' },
}));
const CODES = ['None', 'ConditionalCheckFailed', 'TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded', 'ValidationError', 'ItemCollectionSizeLimitExceeded'];
const reason = (item: fc.Arbitrary<Record<string, unknown>>) => fc.record({
  code: fc.constantFrom(...CODES),
  item: fc.option(item, { nil: undefined }),
}).map(({ code, item: found }) => (code === 'None' ? { Code: 'None' } : {
  Code: code,
  Message: code === 'ConditionalCheckFailed' ? 'The conditional request failed' : `${code} "quoted"`,
  ...(code === 'ConditionalCheckFailed' && found ? { Item: found } : {}),
}));
/** The same request again: the marker's event is the one at the version asked for (or nearly: another stream or version). */
const replay = fc.tuple(stored, fc.constantFrom('same', 'other stream', 'other version'), fc.boolean()).map(([first, how, withCheck]) => {
  const again = how === 'same' ? first : how === 'other stream' ? { ...first, stream: `${first.stream}x` } : { ...first, version: first.version + 1 };
  const failed = (item: Record<string, unknown>) => ({ Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: item });
  return [
    failed({ [KEYS.streamId]: { S: `${EVENT_ID_MARKER_PREFIX}${first.eventId}` }, [KEYS.version]: { N: '0' }, eventStreamId: { S: first.stream }, eventVersion: { N: String(first.version) } }),
    failed({ [KEYS.streamId]: { S: again.stream }, [KEYS.version]: { N: String(again.version) }, eventId: { S: first.eventId }, type: { S: 'Created' } }),
    ...(withCheck ? [{ Code: 'None' }] : []),
  ];
});
/** A cancelled transaction: one reason per item (1 for the too-large check, 2 or 3 for an append). */
const cancelled = fc.oneof(
  fc.tuple(reason(marker)),
  fc.tuple(reason(marker), reason(event)),
  fc.tuple(reason(marker), reason(event), reason(event)),
  replay,
).map((reasons: Array<Record<string, unknown>>) => ({
  __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
  Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
  CancellationReasons: reasons,
}));
const otherError = fc.record({
  type: fc.constantFrom(
    'com.amazonaws.dynamodb.v20120810#ThrottlingException', 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    'com.amazonaws.dynamodb.v20120810#RequestLimitExceeded', 'com.amazonaws.dynamodb.v20120810#TransactionInProgressException',
    'com.amazon.coral.validate#ValidationException', 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException',
    'com.amazon.coral.service#AccessDeniedException', 'com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException',
  ),
  message: printable,
}).map(({ type, message }) => ({ __type: type, message }));
/** What DynamoDB answers, and the integration response whose template maps it (by status). */
const dynamoAnswer = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ status: 200, body: '{}' }) },
  { weight: 6, arbitrary: cancelled.map((b) => ({ status: 400, body: JSON.stringify(b) })) },
  { weight: 2, arbitrary: otherError.map((b) => ({ status: 400, body: JSON.stringify(b) })) },
  { weight: 1, arbitrary: fc.constant({ status: 500, body: '{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"Internal server error"}' }) },
);

function integrationTemplate(definition: AwsIntegrationDefinition, status: number): string {
  const response = definition.integrationResponses.find((r) => r.selectionPattern && new RegExp(`^(?:${r.selectionPattern})$`).test(String(status)))
    ?? definition.integrationResponses.find((r) => !r.selectionPattern)!;
  return response.responseTemplates['application/json'];
}

describe('WritePath.DIRECT\'s mapping templates: the local renderer answers as Velocity 1.7', () => {
  test('the integration request, over bodies the model takes', async () => {
    const cases20 = fc.array(fc.tuple(fc.integer({ min: 0, max: APIS.length - 1 }), body, context), { minLength: 20, maxLength: 20 });
    await fc.assert(fc.asyncProperty(cases20, async (cases) => {
      await expectSame(cases.map(([api, make, ctx]) => {
        const text = make(api);
        const definition = definitions[api];
        // The model runs first, on AWS as here: these bodies are ones it takes.
        expect(new RequestBodyValidator(definition.requestModels!['application/json']).problem(text)).toBeUndefined();
        return { template: definition.requestTemplates['application/json'], request: { body: text, params: { header: { 'Content-Type': 'application/json' } }, context: ctx } };
      }));
    }), runs(40, { shrink: false }));
  });

  test('every integration response, over every answer DynamoDB can give', async () => {
    const cases20 = fc.array(fc.tuple(fc.integer({ min: 0, max: APIS.length - 1 }), dynamoAnswer, context), { minLength: 20, maxLength: 20 });
    await fc.assert(fc.asyncProperty(cases20, async (cases) => {
      await expectSame(cases.map(([api, answer, ctx]) => ({
        template: integrationTemplate(definitions[api], answer.status),
        request: { body: answer.body, params: { header: { 'Content-Type': 'application/json' } }, context: ctx },
      })));
    }), runs(40, { shrink: false }));
  });

  test('the gateway responses (a body the model refuses, a Content-Type with no template)', async () => {
    const integration = new LocalAwsIntegration(definitions[0], { dynamodbEndpoint: 'http://127.0.0.1:9' });
    const model = new RequestBodyValidator(definitions[0].requestModels!['application/json']);
    const bad = fc.oneof(
      body.map((make) => make(0).replace(/"expectedVersion": ?/, '$&-1')),
      body.map((make) => make(0).replace(/"type": ?"/, '$&\\u0001')),
      fc.constantFrom('{}', 'not json', '{"type":"A","id":"$x","expectedVersion":0}', '{"type":"A","id":"x","expectedVersion":1.5}', '[]', '{"type":"A","id":"x","expectedVersion":"1"}'),
    ).filter((text) => model.problem(text) !== undefined);
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(bad, fc.boolean(), context), { minLength: 10, maxLength: 10 }), async (cases) => {
      const answers = await Promise.all(cases.map(([text, json, ctx]) => integration.answer({
        httpMethod: 'POST',
        resourcePath: '/',
        headers: { 'content-type': json ? 'application/json' : 'text/plain' },
        body: Buffer.from(text),
        requestId: ctx.requestId,
      })));
      const rendered = await oracle.renderAll(cases.map(([text, json, ctx]) => {
        const type = json ? 'BAD_REQUEST_BODY' : 'UNSUPPORTED_MEDIA_TYPE';
        const message = json ? 'Invalid request body' : 'Unsupported Media Type';
        return {
          // API Gateway's default template where the API sets none (supported-gateway-response-types.html).
          template: definitions[0].gatewayResponses[type]?.responseTemplates['application/json'] ?? '{"message":$context.error.messageString}',
          request: {
            body: text,
            context: {
              ...ctx,
              error: { message, messageString: JSON.stringify(message), responseType: type, validationErrorString: json ? model.problem(text) ?? '' : '' },
            },
          },
        };
      }));
      cases.forEach(([text, json], i) => {
        const answer = answers[i];
        expect({ text, json, status: answer.statusCode < 500, body: answer.body }).toEqual({ text, json, status: true, body: rendered[i].output });
      });
    }), runs(20, { shrink: false }));
  });
});
