/**
 * Where a deployed EventSourcedApi answers, from its stack: the API the construct made (tagged
 * with its role in the template), its stage, and whether its routes want SigV4 (IAM).
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { taggedResources } from '../../packages/cli/src/operator/stack-resources';

export interface DeployedApi {
  /** The stage's URL, ending with "/". */
  readonly url: string;
  /** The region to sign for, when the routes use IAM authorization. */
  readonly signingRegion?: string;
  readonly owner: string;
  /** POST / appends with WritePath.DIRECT (an AWS integration, no writer Lambda). */
  readonly direct: boolean;
}

export interface DeployedApiOptions {
  readonly stack: string;
  /** @default - the AWS SDK's region */
  readonly region?: string;
  readonly profile?: string;
  /** The EventSourcedApi's construct path (or its end), when the stack has several. */
  readonly api?: string;
}

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
}

export async function findDeployedApi(options: DeployedApiOptions, cloudFormation?: CloudFormationClient): Promise<DeployedApi> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('@aws-sdk/client-cloudformation') as typeof import('@aws-sdk/client-cloudformation');
  const config = { ...(options.region ? { region: options.region } : {}), ...(options.profile ? { profile: options.profile } : {}) };
  const cfn = cloudFormation ?? new sdk.CloudFormationClient(config);
  const where = `stack ${options.stack}`;
  const tagged = await taggedResources(cfn, options.stack, sdk);
  // Every EventSourcedApi has a publisher (a writer only with WritePath.LAMBDA).
  const owners = [...new Set(tagged.filter((p) => p.meta.role === 'publisher').map((p) => p.meta.owner))];
  if (owners.length === 0) throw new Error(`No EventSourcedApi in ${where}`);
  const chosen = options.api === undefined ? owners : owners.filter((o) => o === options.api || o.endsWith(`/${options.api}`));
  if (chosen.length !== 1) {
    throw new Error(options.api === undefined
      ? `${where} has ${owners.length} EventSourcedApis: name one with --api (${owners.join(', ')})`
      : `No EventSourcedApi "${options.api}" in ${where} (there are: ${owners.join(', ')})`);
  }
  const owner = chosen[0];
  const api = tagged.find((p) => p.meta.owner === owner && (p.meta.role === 'rest-api' || p.meta.role === 'http-api'));
  if (!api?.physicalId) {
    throw new Error(`${owner} in ${where} has no API of its own (api.enabled is false, or its routes are mounted on your API with ` +
      'api.existingApiResource): pass the routes\' URL with --url');
  }
  const template = await cfn.send(new sdk.GetTemplateCommand({ StackName: options.stack, TemplateStage: 'Original' }));
  const resources = Object.values((JSON.parse(template.TemplateBody ?? '{}') as { Resources?: Record<string, TemplateResource> }).Resources ?? {});
  const rest = api.meta.role === 'rest-api';
  const ofApi = (r: TemplateResource) => (rest ? r.Properties?.RestApiId : r.Properties?.ApiId)?.Ref === api.logicalId;
  const stage = resources.find((r) => r.Type === (rest ? 'AWS::ApiGateway::Stage' : 'AWS::ApiGatewayV2::Stage') && ofApi(r))?.Properties?.StageName;
  if (typeof stage !== 'string') throw new Error(`${where}: cannot tell the stage of ${owner}'s API from the template; pass --url`);
  const iam = resources.some((r) => r.Type === (rest ? 'AWS::ApiGateway::Method' : 'AWS::ApiGatewayV2::Route') && ofApi(r)
    && r.Properties?.AuthorizationType === 'AWS_IAM');
  const region = options.region ?? await cfn.config.region();
  return {
    owner,
    url: `https://${api.physicalId}.execute-api.${region}.amazonaws.com/${stage === '$default' ? '' : `${stage}/`}`,
    signingRegion: iam ? region : undefined,
    direct: tagged.some((p) => p.meta.owner === owner && p.meta.role === 'direct-append'),
  };
}
