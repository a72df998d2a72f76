import type { AwsIntegrationDefinition, GatewayResponseDefinition, IntegrationResponseDefinition } from './aws-integration';

interface CfnResource {
  readonly Type: string;
  readonly Properties?: any;
}

/**
 * A REST API method whose integration is an AWS service action (`Type: AWS`), read from the
 * template: its URI, templates, integration responses, request validator and model, and its API's
 * gateway responses. `resolve` turns an intrinsic (a table's Ref in a template, say) into its local value.
 */
export function readAwsIntegration(
  resources: Record<string, CfnResource>, methodId: string, resolve: (value: unknown) => string,
): AwsIntegrationDefinition {
  const method = resources[methodId]?.Properties ?? {};
  const integration = method.Integration ?? {};
  const where = `${methodId} (${method.HttpMethod ?? '?'})`;
  if (integration.Type !== 'AWS') throw new Error(`${where}: its integration is ${integration.Type}, not an AWS service integration`);
  const uri = resolve(integration.Uri);
  const action = /^arn:[^:]+:apigateway:[^:]*:([^:]+):action\/(.+)$/.exec(uri);
  if (!action) throw new Error(`${where}: the local runtime serves action integrations (…:<service>:action/<Action>), not ${uri}`);

  const resolved = (map: Record<string, unknown> | undefined) =>
    Object.fromEntries(Object.entries(map ?? {}).map(([key, value]) => [key, resolve(value)]));
  const integrationResponses: IntegrationResponseDefinition[] = (integration.IntegrationResponses ?? []).map((r: any) => ({
    statusCode: String(r.StatusCode),
    selectionPattern: r.SelectionPattern || undefined,
    responseTemplates: resolved(r.ResponseTemplates),
    responseParameters: resolved(r.ResponseParameters),
  }));

  const validatorId = method.RequestValidatorId?.Ref as string | undefined;
  const validatesBody = validatorId !== undefined && resources[validatorId]?.Properties?.ValidateRequestBody === true;
  const requestModels = validatesBody
    ? Object.fromEntries(Object.entries<any>(method.RequestModels ?? {}).flatMap(([contentType, model]) => {
      const schema = resources[model?.Ref]?.Properties?.Schema;
      return schema ? [[contentType, schema as Record<string, unknown>]] : [];
    }))
    : undefined;

  const restApiId = method.RestApiId?.Ref as string | undefined;
  const gatewayResponses: Record<string, GatewayResponseDefinition> = {};
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::ApiGateway::GatewayResponse' || resource.Properties?.RestApiId?.Ref !== restApiId) continue;
    const props = resource.Properties;
    gatewayResponses[props.ResponseType] = {
      statusCode: props.StatusCode === undefined ? undefined : Number(props.StatusCode),
      responseTemplates: resolved(props.ResponseTemplates),
      responseParameters: resolved(props.ResponseParameters),
    };
  }

  return {
    service: action[1],
    action: action[2],
    passthroughBehavior: integration.PassthroughBehavior ?? 'WHEN_NO_MATCH',
    requestTemplates: resolved(integration.RequestTemplates),
    integrationResponses,
    requestModels,
    gatewayResponses,
  };
}
