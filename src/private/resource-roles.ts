import { CfnResource } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ROLE_METADATA_KEY, RoleMetadata } from './contract';

export { ROLE_METADATA_KEY } from './contract';
export type { ResourceRole, RoleMetadata } from './contract';

/**
 * Tags a construct's CloudFormation resource with its role, so tools that read the synthesized
 * template (the local runtime) find the parts of an EventSourcedApi from any CDK language.
 */
export function tagRole(construct: IConstruct, metadata: RoleMetadata): void {
  const resource = construct.node.defaultChild;
  if (resource && CfnResource.isCfnResource(resource)) resource.addMetadata(ROLE_METADATA_KEY, metadata);
}
