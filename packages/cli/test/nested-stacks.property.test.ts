/**
 * flattenNestedStacks on random apps: random trees of nested stacks (up to three levels) with
 * random construct ids, whose queues refer to queues anywhere in the tree (Ref, Fn::GetAtt,
 * DependsOn in their own stack) and to their stack's name. CDK routes every reference that crosses
 * a stack through parameters and outputs; once flattened, each must be the direct reference again,
 * to the target's flattened id, and nothing may dangle.
 *
 * A queue refers only to queues made before it, so no two stacks depend on each other (CDK and
 * CloudFormation refuse such cycles).
 */
import { App, Aws, CfnResource, NestedStack, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { runs } from '../../../test/support/arbitraries';
import { removeTempDirs, tempDir } from '../../../test/support/local-app';
import { danglingReferences, flatId, flattenedTemplate } from '../../../test/support/nested-stacks';
import { pseudoParameters, resolveIntrinsics } from '../src/intrinsics';

afterAll(() => removeTempDirs());

type Reference = { readonly kind: 'ref' | 'arn' | 'dependsOn' | 'stackName'; readonly pick: number };
type Item = { readonly queue: Reference[] } | { readonly nested: StackPlan };
interface StackPlan {
  readonly id: string;
  readonly items: Item[];
}

const constructId = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,11}$/);
const reference: fc.Arbitrary<Reference> = fc.record({ kind: fc.constantFrom('ref', 'arn', 'dependsOn', 'stackName'), pick: fc.nat() });
const plan = fc.letrec<{ stack: StackPlan; item: Item }>((tie) => ({
  stack: fc.record({ id: constructId, items: fc.array(tie('item'), { minLength: 1, maxLength: 4 }) }),
  item: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    fc.record({ queue: fc.array(reference, { maxLength: 3 }) }),
    fc.record({ nested: tie('stack') }),
  ),
})).stack;

interface Made {
  readonly queue: sqs.CfnQueue;
  readonly references: Array<{ kind: Reference['kind']; target: sqs.CfnQueue }>;
}

/** Builds the plan's stacks and queues, in order: each queue refers to queues made before it. */
function build(scope: Construct, items: Item[], made: Made[]): void {
  items.forEach((item, i) => {
    if ('nested' in item) {
      build(new NestedStack(scope, `${item.nested.id}${i}`), item.nested.items, made);
      return;
    }
    const references = made.length === 0 ? [] : item.queue.map(({ kind, pick }) => ({ kind, target: made[pick % made.length].queue }));
    const tags = references.map(({ kind, target }, k) => ({
      key: `${kind}${k}`,
      value: kind === 'ref' ? target.ref : kind === 'arn' ? target.attrArn : kind === 'stackName' ? Aws.STACK_NAME : 'dependency',
    }));
    const queue = new sqs.CfnQueue(scope, `Queue${i}`, { tags });
    for (const { kind, target } of references) {
      if (kind === 'dependsOn' && Stack.of(target) === Stack.of(queue)) queue.addDependency(target);
    }
    made.push({ queue, references });
  });
}

/** `Root-<nested id>-…`: a stack's name once flattened. */
function flatStackName(stack: Stack): string {
  return stack.nestedStackResource ? `${flatStackName(Stack.of(stack.nestedStackResource))}-${Stack.of(stack.nestedStackResource).resolve(stack.nestedStackResource.logicalId)}` : 'Root';
}

test('every reference, routed by CDK through nested parameters and outputs, is direct again once flattened', () => {
  fc.assert(fc.property(plan, (stackPlan) => {
    const app = new App({ outdir: tempDir('es-nested-prop-') });
    const root = new Stack(app, 'Root');
    const made: Made[] = [];
    build(root, stackPlan.items, made);
    // Not recorded for cfn-lint: the generated references repeat dependencies on purpose (a
    // DependsOn beside a Ref to the same resource: W3005), to check each is rewritten.
    const { flat } = flattenedTemplate(app.synth(), 'Root', false);
    const resources = flat.Resources!;

    const all = app.node.findAll().filter((c): c is CfnResource => c instanceof CfnResource).map(flatId);
    expect(Object.keys(resources).sort()).toEqual(all.sort());
    expect(danglingReferences(flat)).toEqual([]);
    expect(JSON.stringify(flat)).not.toMatch(/"Outputs\./);

    const pseudo = pseudoParameters('eu-west-1', '111111111111', 'Root');
    for (const { queue, references } of made) {
      const flattened = resources[flatId(queue)];
      references.forEach(({ kind, target }, k) => {
        const tag = flattened.Properties.Tags.find((t: { Key: string }) => t.Key === `${kind}${k}`);
        if (kind === 'ref') expect(tag.Value).toEqual({ Ref: flatId(target) });
        if (kind === 'arn') expect(tag.Value).toEqual({ 'Fn::GetAtt': [flatId(target), 'Arn'] });
        if (kind === 'stackName') expect(resolveIntrinsics(tag.Value, {}, pseudo)).toBe(flatStackName(Stack.of(queue)));
        if (kind === 'dependsOn' && Stack.of(target) === Stack.of(queue)) expect([flattened.DependsOn].flat()).toContain(flatId(target));
      });
    }
  }), runs(40));
}, 300_000);
