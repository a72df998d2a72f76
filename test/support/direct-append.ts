/**
 * WritePath.DIRECT's POST / as the construct synthesizes it, run by the local runtime's API
 * Gateway emulation against the DynamoDB Local of globalSetup: the method's model, templates and
 * integration responses are read from a synthesized template, with the events table a test made.
 */
import { randomUUID } from 'node:crypto';
import { synth } from './synth';
import { AwsIntegrationDefinition, LocalAwsIntegration } from '../../packages/cli/src/aws-integration';
import { readAwsIntegration } from '../../packages/cli/src/aws-integration-definition';
import { pseudoParameters, resolveIntrinsics } from '../../packages/cli/src/intrinsics';
import { WritePath } from '../../src';
import { ROLE_METADATA_KEY } from '../../src/contract';

export interface DirectAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly text: string;
  readonly json: any;
  /** Why a 5xx (the emulation's log line). */
  readonly cause?: string;
}

export interface DirectAppender {
  /** POSTs a body (text as sent, or a value to serialize) with a Content-Type (application/json by default). */
  post(body: unknown, contentType?: string): Promise<DirectAnswer>;
}

export interface DirectOptions {
  readonly streamIdField?: string;
  readonly maxBodyBytes?: number;
}

/** The method of an API with WritePath.DIRECT as the local runtime reads it from the synthesized template, writing to `tableName`. */
export function directDefinition(tableName: string, options: DirectOptions = {}): AwsIntegrationDefinition {
  const { template } = synth({ api: { writePath: WritePath.DIRECT }, streamIdField: options.streamIdField, maxBodyBytes: options.maxBodyBytes });
  const resources = template.toJSON().Resources as Record<string, any>;
  const methodId = Object.keys(resources).find((id) => resources[id].Metadata?.[ROLE_METADATA_KEY]?.role === 'direct-append')!;
  const eventsTableId = Object.keys(resources).find((id) => resources[id].Metadata?.[ROLE_METADATA_KEY]?.role === 'events-table')!;
  return readAwsIntegration(resources, methodId,
    (value) => resolveIntrinsics(value, { [eventsTableId]: { ref: tableName } }, pseudoParameters('eu-west-1', '111111111111', 'TestStack')));
}

/** The synthesized integration of an API with WritePath.DIRECT, writing to `tableName`. */
export function directAppender(tableName: string, options: DirectOptions = {}): DirectAppender {
  const definition = directDefinition(tableName, options);
  const integration = new LocalAwsIntegration(definition, { dynamodbEndpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB! });
  return {
    post: async (body, contentType = 'application/json') => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      const answer = await integration.answer({
        httpMethod: 'POST', resourcePath: '/', headers: { 'content-type': contentType }, body: Buffer.from(text, 'utf8'), requestId: randomUUID(),
      });
      const responseText = String(answer.body);
      let json: unknown;
      try {
        json = JSON.parse(responseText);
      } catch {
        json = undefined;
      }
      return { status: answer.statusCode, headers: answer.headers, text: responseText, json, cause: answer.cause };
    },
  };
}
