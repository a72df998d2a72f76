import * as path from 'node:path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { templateOf } from './templates';
import { EventSourcedApi, EventSourcedApiProps } from '../../src';

export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'projections');
export const COUNTER = path.join(FIXTURES, 'counter.ts');
export const EXAMPLE_PROJECTIONS = path.join(__dirname, '..', '..', 'examples', 'typescript', 'projections');

export interface Synthesized {
  readonly stack: Stack;
  readonly api: EventSourcedApi;
  readonly template: Template;
}

/** A fresh stack with one EventSourcedApi; props may be made from the stack (to add a key, say). */
export function synth(
  props: EventSourcedApiProps | ((stack: Stack) => EventSourcedApiProps) = {}, configure?: (api: EventSourcedApi, stack: Stack) => void,
): Synthesized {
  const app = new App();
  const stack = new Stack(app, 'TestStack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const api = new EventSourcedApi(stack, 'Api', typeof props === 'function' ? props(stack) : props);
  configure?.(api, stack);
  const template = templateOf(stack);
  return { stack, api, template };
}

/** Two projections, "default" and "summary", from the example app. */
export function twoViews(): EventSourcedApiProps['projections'] {
  return [
    { name: 'default', entry: path.join(EXAMPLE_PROJECTIONS, 'default.ts') },
    { name: 'summary', entry: path.join(EXAMPLE_PROJECTIONS, 'summary.ts') },
  ];
}

type Resources = Record<string, { Type: string; Properties?: any; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;

/** A template's resources by logical id. */
export function resourcesOf(template: Template): Resources {
  return template.toJSON().Resources as Resources;
}

/** Logical id of the one resource whose id starts with the given prefix. */
export function logicalId(template: Template, type: string, idPrefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(idPrefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} starting with ${idPrefix}, found ${ids.join(', ') || 'none'}`);
  return ids[0];
}

/** Every IAM statement attached to the role of a Lambda function (by logical id prefix). */
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

export function statementsOfFunction(template: Template, functionIdPrefix: string): Statement[] {
  const resources = resourcesOf(template);
  const fnId = logicalId(template, 'AWS::Lambda::Function', functionIdPrefix);
  const roleId = resources[fnId].Properties.Role['Fn::GetAtt'][0];
  const statements: Statement[] = [];
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::IAM::Policy') continue;
    if (!r.Properties.Roles.some((ref: any) => ref.Ref === roleId)) continue;
    statements.push(...r.Properties.PolicyDocument.Statement);
  }
  return statements;
}

/**
 * What a function's role may do, from both sides: the statements of its role's policies, and
 * the statements of table and queue resource policies that name its role as principal (as the
 * resource's own logical id). Within one account either side suffices.
 */
export function grantsOfFunction(template: Template, functionIdPrefix: string): Array<{ actions: string[]; resources: string[] }> {
  const resources = resourcesOf(template);
  const fnId = logicalId(template, 'AWS::Lambda::Function', functionIdPrefix);
  const roleId = resources[fnId].Properties.Role['Fn::GetAtt'][0];
  const grants = statementsOfFunction(template, functionIdPrefix).map((s) => ({ actions: actionsOf([s]), resources: referencedIds(s.Resource) }));
  const namesRole = (s: any) => JSON.stringify(s.Principal ?? null).includes(`"${roleId}"`);
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type === 'AWS::DynamoDB::Table') {
      for (const st of r.Properties.ResourcePolicy?.PolicyDocument.Statement ?? []) {
        if (namesRole(st)) grants.push({ actions: actionsOf([st]), resources: [id] });
      }
    }
    if (r.Type === 'AWS::SQS::QueuePolicy') {
      for (const st of r.Properties.PolicyDocument.Statement) {
        if (namesRole(st)) grants.push({ actions: actionsOf([st]), resources: referencedIds(st.Resource) });
      }
    }
  }
  return grants;
}

export function actionsOf(statements: Array<{ Action: string | string[] }>): string[] {
  return statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
}

/** The logical ids a statement's Resource refers to (Fn::GetAtt / Ref), flattened. */
export function referencedIds(resource: unknown): string[] {
  const text = JSON.stringify(resource);
  return [...text.matchAll(/"(?:Ref|Fn::GetAtt)":\s*\[?"([A-Za-z0-9]+)"/g)].map((m) => m[1]);
}

/** The logical id of the CloudFormation resource a construct (an L2) stands for. */
export function logicalIdOf(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
}
