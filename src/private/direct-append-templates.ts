import { CATALOGUE, DIRECT_EVENT, EVENT_ID_MARKER_PREFIX, KEYS, STORE_SET_FIELDS } from '../contract';

/**
 * What `WritePath.DIRECT` hands API Gateway: the request model that checks the envelope, and the
 * mapping templates (Velocity, VTL) that turn a POST into one DynamoDB TransactWriteItems call and
 * DynamoDB's answer into the HTTP contract's. The same transaction as the writer Lambda's
 * (lambda-src/writer/append.ts), at expectedVersion + 1: an idempotency marker for the eventId, the
 * event, and a check that the version before exists, so versions stay gap-free.
 *
 * The templates use only what API Gateway documents for mapping templates ($input.body/json/path,
 * $util.base64Encode/escapeJavaScript, $context.requestId/requestTimeEpoch/responseOverride),
 * Java String methods (length, replaceAll, contains, substring) and Number.longValue(); the local
 * runtime renders them with exactly that (packages/cli/src/mapping-template.ts), and the test suite
 * checks its renderings against Velocity 1.7's (mapping-template.oracle.property.test.ts).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
 */

/**
 * The largest body DIRECT takes, in UTF-16 code units (what a template can measure: Java's
 * String.length()). An event must fit SNS's 262,144 bytes as the publisher sends it, re-serialized
 * by JSON.stringify: text grows at most 3-fold (UTF-8 bytes per code unit), and a number written
 * `1e20` (4 characters) is published as 21 digits, so a body of `[1e20,1e20,...]` grows 4.4-fold.
 * 59,000 x 4.4 = 259,600 bytes, plus under 2 KiB of envelope and message attributes.
 */
export const DIRECT_MAX_BODY_CHARS = 59_000;

/** The answer to a stored event, first time and replay alike: a template cannot see the request's body. */
export const DIRECT_STORED_BODY = '{"stored":true}';

/** 1 to 256 printable characters (code points), valid Unicode: what the writer takes as a type or stream id. */
const PRINTABLE = '(?:[^\\u0000-\\u001f\\u007f\\ud800-\\udfff]|[\\ud800-\\udbff][\\udc00-\\udfff])';
const PRINTABLE_NOT_DOLLAR = '(?:[^$\\u0000-\\u001f\\u007f\\ud800-\\udfff]|[\\ud800-\\udbff][\\udc00-\\udfff])';

/** expectedVersion + 1 must stay a whole number a JavaScript number (and the template's arithmetic) holds. */
const MAX_EXPECTED_VERSION = Number.MAX_SAFE_INTEGER - 1;

/**
 * The request model (JSON Schema draft-04, which API Gateway validates bodies with): the envelope
 * as the writer Lambda checks it, `expectedVersion` required. Every other field is data, unchecked.
 */
export function appendRequestSchema(streamIdField: string): Record<string, unknown> {
  const id = (first: string, maxLength: number) => ({ type: 'string', minLength: 1, maxLength, pattern: `^${first}${PRINTABLE}*$` });
  return {
    $schema: 'http://json-schema.org/draft-04/schema#',
    title: 'AppendEvent',
    type: 'object',
    required: ['type', streamIdField, 'expectedVersion'],
    properties: {
      type: id(PRINTABLE, 256),
      [streamIdField]: id(PRINTABLE_NOT_DOLLAR, 256),
      eventId: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
      // A number that is a whole multiple of 1, not `type: integer`: draft 4 calls 1.0 and 1e2 numbers,
      // not integers, and the writer Lambda (JSON.parse) takes them as 1 and 100; so does this model.
      expectedVersion: { type: 'number', multipleOf: 1, minimum: 0, maximum: MAX_EXPECTED_VERSION },
      // DIRECT declares no event versions (synth refuses eventVersions): every type is at version 1 only.
      schemaVersion: { enum: [1] },
      // Set by the event store: a body may not carry them.
      ...Object.fromEntries(STORE_SET_FIELDS.map((field) => [field, { not: {} }])),
    },
  };
}

/** The body of API Gateway's answer to a body the model refuses (a gateway response: no VTL, no detail). */
export function invalidBodyMessage(streamIdField: string): string {
  return JSON.stringify({
    message: `Request body must be a JSON object with "type" (1-256 printable characters), "${streamIdField}" (1-256 printable ` +
      'characters, not starting with a dollar sign) and "expectedVersion" (a whole number from 0), and may have "eventId" ' +
      `(1-128 of A-Z a-z 0-9 . _ : -) and "schemaVersion" (only 1); "${STORE_SET_FIELDS.join('" and "')}" are set by the event store and cannot be sent`,
  });
}

export interface AppendRequestTemplateProps {
  readonly tableName: string;
  readonly streamIdField: string;
  readonly maxBodyChars: number;
}

/** The integration request: one TransactWriteItems call. */
export function appendRequestTemplate(props: AppendRequestTemplateProps): string {
  const { tableName, streamIdField, maxBodyChars } = props;
  const pk = KEYS.streamId;
  const sk = KEYS.version;
  return `## cdk-event-sourced-api (WritePath.DIRECT): POST / appends one event in one TransactWriteItems
## call, as the writer Lambda does: the eventId's marker, the event at expectedVersion + 1, and a
## check that version expectedVersion exists. The request model has checked the envelope.
#set($table = "${tableName}")
#set($body = $input.body)
## Single quotes: no interpolation.
#set($markerPrefix = '${EVENT_ID_MARKER_PREFIX}')
#if($body.length() > ${maxBodyChars})
## Too large to publish: one condition check that cannot pass (no stream id starts with "$"),
## which the integration response answers 413.
#set($nothing = '$bodyTooLarge')
{"TransactItems": [{"ConditionCheck": {"TableName": "$table", "Key": {"${pk}": {"S": "$nothing"}, "${sk}": {"N": "0"}}, "ConditionExpression": "attribute_exists(${pk})"}}]}
#else
## longValue(): a whole number however it is written (1.0 and 1e2 are Doubles in Velocity, which
## would print 2.0), as the writer Lambda reads it.
#set($expected = $input.path('$.expectedVersion').longValue())
#set($version = $expected + 1)
#set($eventId = "$!input.path('$.eventId')")
#if($eventId == "")
#set($eventId = $context.requestId)
#end
#set($streamId = $input.json('$.${streamIdField}'))
## The catalogue shard of a stream's first event: any of the shards will do (each is listed).
#set($shard = $body.length() % ${CATALOGUE.shards})
{"TransactItems": [
  {"Put": {"TableName": "$table", "Item": {"${pk}": {"S": "$markerPrefix$eventId"}, "${sk}": {"N": "0"}, "eventStreamId": {"S": $streamId}, "eventVersion": {"N": "$version"}},
    "ConditionExpression": "attribute_not_exists(${pk})", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
  {"Put": {"TableName": "$table", "Item": {"${pk}": {"S": $streamId}, "${sk}": {"N": "$version"}, "eventId": {"S": "$eventId"},
      "type": {"S": $input.json('$.type')}, "timestamp": {"N": "$context.requestTimeEpoch"},
      "${DIRECT_EVENT.body}": {"B": "$util.base64Encode($body)"}, "${DIRECT_EVENT.streamIdField}": {"S": "${streamIdField}"}#if($version == 1), "${CATALOGUE.shardAttribute}": {"N": "$shard"}#end},
    "ConditionExpression": "attribute_not_exists(${pk})", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}#if($version > 1),
  {"ConditionCheck": {"TableName": "$table", "Key": {"${pk}": {"S": $streamId}, "${sk}": {"N": "$expected"}}, "ConditionExpression": "attribute_exists(${pk})"}}#end
]}
#end
`;
}

/**
 * The integration response to a DynamoDB 4xx: which item's condition failed says what happened
 * (the cancellation reasons come in the order of the transaction's items, with the item that
 * stood in the way when its Put asked for ALL_OLD).
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
 */
export function appendRefusedTemplate(maxBodyChars: number): string {
  const markerPrefixLength = EVENT_ID_MARKER_PREFIX.length;
  return withoutNewlines(`## cdk-event-sourced-api (WritePath.DIRECT): why DynamoDB refused the append, answered as the
## writer Lambda answers it. Overrides are final, so each is set once, at the end.
#set($type = "$!input.path('$.__type')")
#set($count = 0)
#set($busy = false)
#set($gap = false)
#set($markerCode = "")
#set($eventCode = "")
#set($previousCode = "")
#foreach($reason in $input.path('$.CancellationReasons'))
#set($count = $count + 1)
#if($reason.Code == "TransactionConflict" || $reason.Code == "ThrottlingError" || $reason.Code == "ProvisionedThroughputExceeded")
#set($busy = true)
#end
#if($count == 1)
#set($markerCode = $reason.Code)
#if($reason.Item)
#set($ownerEventId = $reason.Item.${KEYS.streamId}.S.substring(${markerPrefixLength}))
#set($ownerStream = $reason.Item.eventStreamId.S)
#set($ownerVersion = $reason.Item.eventVersion.N)
#end
#elseif($count == 2)
#set($eventCode = $reason.Code)
#if($reason.Item)
#set($takenStream = $reason.Item.${KEYS.streamId}.S)
#set($takenVersion = $reason.Item.${KEYS.version}.N)
#end
#elseif($count == 3)
#set($previousCode = $reason.Code)
#end
#end
#if($type.contains("TransactionCanceledException"))
#if($busy)
#set($status = 503)
#elseif($count == 1)
#set($status = 413)
#elseif($markerCode == "ConditionalCheckFailed" && $eventCode == "ConditionalCheckFailed" && "$!ownerStream" == "$!takenStream" && "$!ownerVersion" == "$!takenVersion")
## The eventId's event is the one at the version this request asks for: the same request again.
#set($status = 201)
#elseif($markerCode == "ConditionalCheckFailed")
#set($status = 422)
#elseif($eventCode == "ConditionalCheckFailed")
#set($status = 409)
#elseif($previousCode == "ConditionalCheckFailed")
#set($status = 409)
#set($gap = true)
#else
#set($status = 500)
#end
#elseif($type.contains("ThrottlingException") || $type.contains("ProvisionedThroughputExceededException") || $type.contains("RequestLimitExceeded") || $type.contains("TransactionInProgressException"))
#set($status = 503)
#else
#set($status = 500)
#end
#set($context.responseOverride.status = $status)
#if($status == 201)
#set($context.responseOverride.header.Idempotent-Replay = "true")
${DIRECT_STORED_BODY}
#elseif($status == 422)
{"message": "eventId \\"$ownerEventId\\" already belongs to version $ownerVersion of stream \\"$util.escapeJavaScript($ownerStream).replaceAll("\\\\'","'")\\"; a retry must send the same stream id and expectedVersion, and a new event a new eventId"}
#elseif($status == 409 && $gap)
{"message": "The stream has no event at expectedVersion, so it is not at that version; send the stream's current version"}
#elseif($status == 409)
{"message": "Stream \\"$util.escapeJavaScript($takenStream).replaceAll("\\\\'","'")\\" already has version $takenVersion, so it is not at expectedVersion; send the stream's current version"}
#elseif($status == 413)
{"message": "Request body is longer than ${maxBodyChars} characters"}
#elseif($status == 503)
#set($context.responseOverride.header.Retry-After = "1")
{"message": "The store is busy; retry shortly with the same eventId and expectedVersion"}
#else
{"message": "Internal server error"}
#end
`);
}

/**
 * Ends every line with a Velocity comment, which takes the line break with it: the answer is
 * exactly the body the template writes, whatever a Velocity version does with the whitespace
 * around directives (a replay's body must be the first answer's, byte for byte).
 */
function withoutNewlines(template: string): string {
  return template.split('\n').map((line) => (line === '' ? line : `${line}##`)).join('\n');
}

/** The integration response to a DynamoDB 5xx: an outage, worth a retry. */
export const APPEND_UNAVAILABLE_BODY = '{"message": "The store is unavailable; retry shortly with the same eventId and expectedVersion"}';
