import { CfnResource, NestedStack, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** CDK's context key for its own check of the same limit (0 turns both off). */
const RESOURCE_LIMIT_CONTEXT = '@aws-cdk/core:stackResourceLimit';

/**
 * CloudFormation's quota of resources per stack
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html).
 */
const CLOUDFORMATION_RESOURCE_LIMIT = 500;

/**
 * Problems with the number of resources in the stacks the API uses (its own, and the nested
 * stacks its views are in), reported at synth before CDK's own check (which runs later, while
 * writing the template) could give its generic count by type. Each view adds 15 resources
 * (its queues, aggregator, table, alarms, backfill), so the views are what fills a stack; the
 * message says how many fit and how to put views in nested stacks.
 */
export function stackResourceProblems(api: IConstruct, views: IConstruct[]): string[] {
  const configured = api.node.tryGetContext(RESOURCE_LIMIT_CONTEXT);
  const limit = configured === undefined ? CLOUDFORMATION_RESOURCE_LIMIT : Number(configured);
  if (!(limit > 0) || views.length === 0) return [];
  const stacks = [...new Set([Stack.of(api), ...views.map((v) => Stack.of(v))])];
  return stacks.flatMap((stack) => stackProblem(api, views, stack, limit));
}

function stackProblem(api: IConstruct, allViews: IConstruct[], stack: Stack, limit: number): string[] {
  const inStack = (c: IConstruct) => CfnResource.isCfnResource(c) && Stack.of(c) === stack;
  const total = stack.node.findAll().filter(inStack).length;
  const views = allViews.filter((v) => Stack.of(v) === stack);
  if (total <= limit || views.length === 0) return [];
  const own = api.node.findAll().filter(inStack).length;
  const byViews = views.reduce((sum, view) => sum + view.node.findAll().filter(inStack).length, 0);
  const perView = byViews / views.length;
  const fit = Math.max(0, Math.floor((limit - (total - byViews)) / perView));
  const nested = NestedStack.isNestedStack(stack);
  return [
    `${nested ? 'Nested stack' : 'Stack'} "${stack.node.path}" would have ${total} CloudFormation resources, over the ${limit} a stack may hold. ` +
    `This EventSourcedApi puts ${own} there, ${byViews} of them for ${views.length === allViews.length ? `its ${views.length}` : `${views.length} of its ${allViews.length}`} views (${perView.toFixed(0)} each: queue and dead-letter queue ` +
    `with their policies, subscription, aggregator with its role, policy, log group and event source, table, alarms, backfill), so about ${fit} views ` +
    `fit beside the rest of this stack. Put views in nested stacks with the nestedStack of their projection (about ${Math.floor(limit / perView)} ` +
    `views fit in each; views with the same nestedStack share one)${nested ? '' : ', or move other resources out of this stack'}; ` +
    'alarms: { enabled: false } saves 3 resources per view.',
  ];
}
