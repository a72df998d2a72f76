/**
 * A stand-in for CloudFormation's GetTemplate and ListStackResources. CloudFormation has no local
 * implementation, so the operator's deployed-stack path runs against this one, which answers as
 * CloudFormation would for a synthesized app once deployed: each stack's template as synthesized
 * (a nested stack's from the cloud assembly, under the stack id that is its physical id in its
 * parent), and the physical names a function gives each resource by its flattened id
 * (`<nested stack's id>-<logical id>`, as the local runtime names them). ListStackResources
 * answers two resources a page, so a caller that does not page misses resources.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { StartedApp } from './local-app';
import { assetFiles } from './nested-stacks';
import { assemblyTemplateLoader, NESTED_ID_SEPARATOR, Template } from '../../packages/cli/src/nested-stacks';

export interface CloudFormationStandIn {
  readonly client: CloudFormationClient;
  /** `<command> <StackName>[ <NextToken>]`, one per call. */
  readonly calls: string[];
  /** Flattened id of each nested stack -> its stack id (ARN). */
  readonly stackIds: Map<string, string>;
}

interface DeployedStack {
  readonly template: Template;
  readonly physical: Record<string, string>;
}

export function cloudFormationStandIn(options: {
  readonly assemblyDir: string;
  readonly stackName: string;
  readonly template: Template;
  /** The physical name of a resource (by flattened id); undefined for one not created. */
  readonly physicalName: (flatId: string) => string | undefined;
}): CloudFormationStandIn {
  const load = assemblyTemplateLoader(options.assemblyDir, assetFiles(options.assemblyDir));
  const stacks = new Map<string, DeployedStack>();
  const stackIds = new Map<string, string>();
  const deploy = (name: string, template: Template, prefix: string) => {
    const physical: Record<string, string> = {};
    for (const [id, resource] of Object.entries(template.Resources ?? {})) {
      const flat = `${prefix}${id}`;
      const nested = resource.Type === 'AWS::CloudFormation::Stack' ? load(id, resource) : undefined;
      if (nested) {
        const stackId = `arn:aws:cloudformation:us-east-1:000000000000:stack/${options.stackName}-${flat}-1A2B3C/0a1b2c3d-0000-0000-0000-${stackIds.size}`;
        stackIds.set(flat, stackId);
        physical[id] = stackId;
        deploy(stackId, nested, `${flat}${NESTED_ID_SEPARATOR}`);
      } else {
        const physicalName = options.physicalName(flat);
        if (physicalName !== undefined) physical[id] = physicalName;
      }
    }
    stacks.set(name, { template, physical });
  };
  deploy(options.stackName, options.template, '');

  const calls: string[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: { StackName?: string; NextToken?: string } }) => {
      const { StackName, NextToken } = command.input;
      calls.push(`${command.constructor.name} ${StackName}${NextToken ? ` ${NextToken}` : ''}`);
      const stack = stacks.get(String(StackName));
      if (!stack) throw Object.assign(new Error(`Stack with id ${StackName} does not exist`), { name: 'ValidationError' });
      if (command.constructor.name === 'GetTemplateCommand') return { TemplateBody: JSON.stringify(stack.template) };
      if (command.constructor.name !== 'ListStackResourcesCommand') throw new Error(`The stand-in does not answer ${command.constructor.name}`);
      const resources = Object.entries(stack.physical).map(([LogicalResourceId, PhysicalResourceId]) => ({ LogicalResourceId, PhysicalResourceId }));
      const start = Number(NextToken ?? 0);
      return { StackResourceSummaries: resources.slice(start, start + 2), NextToken: start + 2 < resources.length ? String(start + 2) : undefined };
    },
  };
  return { client: client as unknown as CloudFormationClient, calls, stackIds };
}

/** CloudFormation as it would answer for the stack a local runtime runs: the runtime's names are the physical names. */
export function standInForLocalApp(app: StartedApp, stackName = 'LocalTest'): CloudFormationStandIn {
  const view = app.runtime.operatorView().apis[0];
  const definition = app.runtime.apis[0].definition;
  const physical: Record<string, string> = { [definition.eventsTable.logicalId]: view.eventsTable };
  for (const v of definition.views) {
    physical[v.table.logicalId] = v.table.tableName;
    physical[v.queue.logicalId] = v.queue.url;
    physical[v.deadLetterQueue.logicalId] = v.deadLetterQueue.url;
  }
  const { jobsQueue, jobsDeadLetterQueue, registry } = definition.maintenance!;
  for (const q of [definition.publisherFailureQueue!, jobsQueue, jobsDeadLetterQueue]) physical[q.logicalId] = q.url;
  physical[registry.logicalId] = registry.tableName;
  physical[definition.writer!.logicalId] = 'writer-function';
  return cloudFormationStandIn({ assemblyDir: app.assemblyDir, stackName, template: app.template, physicalName: (id) => physical[id] });
}
