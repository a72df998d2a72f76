import { CfnResource } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ROLE_METADATA_KEY, RoleMetadata } from '../contract';
import type { Projection } from '../projection';

/**
 * Tags a construct's CloudFormation resource with its role, so tools that read the synthesized
 * template (the local runtime) find the parts of an EventSourcedApi from any CDK language.
 */
export function tagRole(construct: IConstruct, metadata: RoleMetadata): void {
  const resource = construct.node.defaultChild;
  if (resource && CfnResource.isCfnResource(resource)) resource.addMetadata(ROLE_METADATA_KEY, metadata);
}

/** Tags a projection's resources as parts of the EventSourcedApi at `owner` (a Projection used on its own is not tagged). */
export function tagProjectionRoles(p: Projection, owner: string): void {
  const view = p.name;
  tagRole(p.table, { owner, role: 'view-table', view, version: p.version });
  if (p.previousTable) tagRole(p.previousTable, { owner, role: 'previous-view-table', view, version: p.version - 1 });
  tagRole(p.queue, { owner, role: 'queue', view });
  tagRole(p.deadLetterQueue, { owner, role: 'dead-letter-queue', view });
  tagRole(p.aggregator, { owner, role: 'aggregator', view });
}
