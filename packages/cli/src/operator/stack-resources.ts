import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ROLE_METADATA_KEY, type RoleMetadata } from '../../../../src/contract';

/** A resource the library tagged with its role, and its physical name in the deployed stack. */
export interface TaggedResource {
  readonly meta: RoleMetadata;
  /** Its logical id in its stack's template. */
  readonly logicalId: string;
  /** Undefined until CloudFormation has created it. */
  readonly physicalId?: string;
  readonly properties?: TemplateResource['Properties'];
}

interface TemplateResource {
  readonly Type?: string;
  readonly Metadata?: Record<string, unknown>;
  readonly Properties?: { readonly Environment?: { readonly Variables?: Record<string, unknown> } };
}

/** The two commands used, from the SDK module the caller loaded. */
export type CloudFormationCommands = Pick<typeof import('@aws-sdk/client-cloudformation'), 'GetTemplateCommand' | 'ListStackResourcesCommand'>;

const NESTED_STACK_TYPE = 'AWS::CloudFormation::Stack';

/**
 * Every role-tagged resource of a deployed stack and of the stacks nested in it, at any depth (an
 * API's views may live in nested stacks): GetTemplate gives each template's role metadata,
 * ListStackResources the physical names. A nested stack's physical id is its stack id, which
 * both take as StackName.
 */
export async function taggedResources(cfn: CloudFormationClient, stackName: string, commands: CloudFormationCommands): Promise<TaggedResource[]> {
  const template = await cfn.send(new commands.GetTemplateCommand({ StackName: stackName, TemplateStage: 'Original' }));
  const resources = (JSON.parse(template.TemplateBody ?? '{}') as { Resources?: Record<string, TemplateResource> }).Resources ?? {};
  const physical = await physicalIds(cfn, stackName, commands);
  const found: TaggedResource[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    const meta = resource.Metadata?.[ROLE_METADATA_KEY] as RoleMetadata | undefined;
    if (meta) found.push({ meta, logicalId: id, physicalId: physical.get(id), properties: resource.Properties });
  }
  for (const [id, resource] of Object.entries(resources)) {
    const nestedStackId = physical.get(id);
    if (resource.Type === NESTED_STACK_TYPE && nestedStackId) found.push(...await taggedResources(cfn, nestedStackId, commands));
  }
  return found;
}

/** Logical id -> physical id, from every page of ListStackResources (DescribeStackResources answers only a stack's first 100). */
async function physicalIds(cfn: CloudFormationClient, stackName: string, commands: CloudFormationCommands): Promise<Map<string, string>> {
  const physical = new Map<string, string>();
  let nextToken: string | undefined;
  do {
    const page = await cfn.send(new commands.ListStackResourcesCommand({ StackName: stackName, NextToken: nextToken }));
    for (const r of page.StackResourceSummaries ?? []) {
      if (r.LogicalResourceId && r.PhysicalResourceId) physical.set(r.LogicalResourceId, r.PhysicalResourceId);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return physical;
}
