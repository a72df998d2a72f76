import { CfnResource } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** CloudFormation metadata key that tags every resource an EventSourcedApi creates. */
export const ROLE_METADATA_KEY = 'cdk-event-sourced-api';

export type ResourceRole =
  | 'events-table' | 'topic' | 'writer' | 'publisher' | 'publisher-failure-queue' | 'reader' | 'rest-api'
  | 'maintenance' | 'jobs-queue' | 'jobs-dead-letter-queue'
  | 'view-table' | 'previous-view-table' | 'queue' | 'dead-letter-queue' | 'aggregator';

export interface RoleMetadata {
  /** Construct path of the EventSourcedApi (or Projection) the resource belongs to. */
  readonly owner: string;
  readonly role: ResourceRole;
  /** The view, for a projection's resources. */
  readonly view?: string;
  /** The version of the projection code a view table belongs to. */
  readonly version?: number;
}

/**
 * Tags a construct's CloudFormation resource with its role, so tools that read the synthesized
 * template (the local runtime) find the parts of an EventSourcedApi from any CDK language.
 */
export function tagRole(construct: IConstruct, metadata: RoleMetadata): void {
  const resource = construct.node.defaultChild;
  if (resource && CfnResource.isCfnResource(resource)) resource.addMetadata(ROLE_METADATA_KEY, metadata);
}
