/**
 * Nested stacks, flattened into their parent: the local runtime reads one stack and everything
 * nested in it (at any depth) as one template, as if all its resources were the parent's own.
 *
 * A resource of the nested stack `N` becomes `N-<its logical id>` (`N-M-<id>` nested twice): a
 * CloudFormation logical id is alphanumeric, so these never clash with one, and a dash is valid in
 * every local name (table, queue, topic, function). A `Ref` to one of the nested template's
 * parameters becomes the expression the parent passes for it, a parent's
 * `Fn::GetAtt [N, Outputs.X]` becomes the nested output's value, and `AWS::StackName` inside a
 * nested stack is `<parent's name>-N` (AWS adds a random suffix; locally it stays deterministic).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NO_REFERENCES, References, rewriteCondition, rewriteExpression, rewriteOutput, rewriteResource } from './template-references';

/** Between a nested stack's logical id and the logical ids of its resources. */
export const NESTED_ID_SEPARATOR = '-';

const NESTED_STACK_TYPE = 'AWS::CloudFormation::Stack';
const OUTPUTS = 'Outputs.';

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: any;
  readonly Metadata?: Record<string, unknown>;
  readonly [attribute: string]: unknown;
}

export interface Template {
  readonly Resources?: Record<string, TemplateResource>;
  readonly Parameters?: Record<string, { readonly Default?: unknown }>;
  readonly Outputs?: Record<string, { readonly Value?: unknown }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, unknown>;
  readonly [section: string]: unknown;
}

/** The template of a nested stack resource, or undefined when it is not one the app synthesized. */
export type NestedTemplateLoader = (logicalId: string, resource: TemplateResource) => Template | undefined;

/**
 * The template with every nested stack the loader finds merged in, recursively. A template
 * without one comes back as it is. The AWS::CloudFormation::Stack resources stay (what depends
 * on them still finds them); a nested stack the loader does not find stays as it is.
 */
export function flattenNestedStacks(template: Template, load: NestedTemplateLoader): Template {
  const resources = template.Resources ?? {};
  const children = new Map<string, Template>();
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type !== NESTED_STACK_TYPE) continue;
    const child = load(id, resource);
    if (child) children.set(id, flattenNestedStacks(child, load));
  }
  if (children.size === 0) return template;

  const merged: Record<string, TemplateResource> = { ...resources };
  const conditions: Record<string, unknown> = { ...template.Conditions };
  const mappings: Record<string, unknown> = { ...template.Mappings };
  const outputs = new Map<string, Record<string, unknown>>();
  for (const [id, child] of children) {
    const embedded = embed(id, resources[id], child);
    addAll(merged, embedded.resources, id);
    addAll(conditions, embedded.conditions, id);
    addAll(mappings, embedded.mappings, id);
    outputs.set(id, embedded.outputs);
  }

  // Fn::GetAtt [N, Outputs.X] anywhere (a nested output may itself be another's: resolved in turn).
  const resolved = new Map<string, unknown>();
  const resolving: string[] = [];
  const nestedOutputs: References = {
    ...NO_REFERENCES,
    getAtt: (id, attribute) => {
      const values = outputs.get(id);
      if (!values || !attribute.startsWith(OUTPUTS)) return undefined;
      const key = `${id}.${attribute}`;
      if (resolved.has(key)) return resolved.get(key);
      const name = attribute.slice(OUTPUTS.length);
      if (!has(values, name)) throw new Error(`Fn::GetAtt ${key}: the nested stack ${id} has no output ${name}`);
      if (resolving.includes(key)) throw new Error(`Nested stack outputs refer to each other in a circle: ${[...resolving, key].join(' → ')}`);
      resolving.push(key);
      const value = rewriteExpression(values[name], nestedOutputs);
      resolving.pop();
      resolved.set(key, value);
      return value;
    },
  };
  return {
    ...template,
    Resources: mapValues(merged, (resource) => rewriteResource(resource, nestedOutputs)),
    ...(template.Outputs ? { Outputs: mapValues(template.Outputs, (output) => rewriteOutput(output, nestedOutputs)) } : {}),
    ...(Object.keys(conditions).length > 0 ? { Conditions: mapValues(conditions, (condition) => rewriteCondition(condition, nestedOutputs)) } : {}),
    ...(Object.keys(mappings).length > 0 ? { Mappings: mappings } : {}),
  };
}

interface Embedded {
  readonly resources: Record<string, TemplateResource>;
  readonly conditions: Record<string, unknown>;
  readonly mappings: Record<string, unknown>;
  /** Output name -> its value, in the parent's logical ids. */
  readonly outputs: Record<string, unknown>;
}

/** A (flattened) nested template in its parent's terms: prefixed ids, parameters replaced by what the parent passes. */
function embed(nestedId: string, stack: TemplateResource, child: Template): Embedded {
  const prefixed = (name: string) => `${nestedId}${NESTED_ID_SEPARATOR}${name}`;
  const ids = child.Resources ?? {};
  const declared = child.Parameters ?? {};
  const passed: Record<string, unknown> = stack.Properties?.Parameters ?? {};
  const parameter = (name: string): unknown => {
    if (has(passed, name)) return passed[name];
    if (declared[name].Default !== undefined) return declared[name].Default;
    throw new Error(`Nested stack ${nestedId}: its template's parameter ${name} has no default, and the parent passes no value for it`);
  };
  const references: References = {
    ref: (name) => {
      if (has(ids, name)) return { Ref: prefixed(name) };
      if (has(declared, name)) return parameter(name);
      if (name === 'AWS::StackName') return { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, nestedId]] };
      return undefined;
    },
    getAtt: (id, attribute) => (has(ids, id) ? { 'Fn::GetAtt': [prefixed(id), attribute] } : undefined),
    logicalId: (name) => (has(ids, name) ? prefixed(name) : name),
    condition: prefixed,
    mapping: prefixed,
  };
  const renamed = <T, U>(section: Record<string, T> | undefined, rewrite: (value: T) => U) =>
    Object.fromEntries(Object.entries(section ?? {}).map(([name, value]) => [prefixed(name), rewrite(value)]));
  return {
    resources: renamed(child.Resources, (resource) => rewriteResource(resource, references)),
    conditions: renamed(child.Conditions, (condition) => rewriteCondition(condition, references)),
    mappings: renamed(child.Mappings, (mapping) => mapping),
    outputs: Object.fromEntries(Object.entries(child.Outputs ?? {}).map(([name, output]) => [name, rewriteExpression(output.Value, references)])),
  };
}

/**
 * Finds a nested stack's template in a cloud assembly: the file its `aws:asset:path` metadata
 * names (the CDK CLI turns asset metadata on), else the file asset whose hash its TemplateURL ends
 * with. A nested stack whose template is not an asset of the app stays unflattened.
 *
 * @param assetFiles asset hash -> absolute path of the asset in the assembly
 */
export function assemblyTemplateLoader(assemblyDir: string, assetFiles: Record<string, string>): NestedTemplateLoader {
  return (logicalId, resource) => {
    const assetPath = resource.Metadata?.['aws:asset:path'];
    const hash = /([0-9a-f]{64})\.json/.exec(JSON.stringify(resource.Properties?.TemplateURL ?? ''))?.[1];
    const file = typeof assetPath === 'string' ? path.resolve(assemblyDir, assetPath) : hash ? assetFiles[hash] : undefined;
    if (file === undefined) return undefined;
    if (!fs.existsSync(file)) throw new Error(`Nested stack ${logicalId}: its template ${file} is not in the cloud assembly`);
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Template;
  };
}

function addAll<T>(target: Record<string, T>, entries: Record<string, T>, nestedId: string): void {
  for (const [name, value] of Object.entries(entries)) {
    if (has(target, name)) throw new Error(`Nested stack ${nestedId}: ${name} is already a name in its parent`);
    target[name] = value;
  }
}

function mapValues<T, U>(record: Record<string, T>, fn: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, fn(value)]));
}

function has(record: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, key);
}
