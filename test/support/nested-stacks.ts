/**
 * Helpers for tests of nested stacks: the id a resource gets once its nested stacks are flattened
 * into the top-level stack, a synthesized stack's template flattened as the local runtime reads
 * it, and every reference a template makes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnElement, Stack } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { recordTemplate } from './templates';
import { assemblyTemplateLoader, flattenNestedStacks, NESTED_ID_SEPARATOR, Template } from '../../packages/cli/src/nested-stacks';

/** `<nested stack's id>-…-<own logical id>`: the element's logical id in its top-level stack's flattened template. */
export function flatId(element: CfnElement): string {
  const stack = Stack.of(element);
  const own = stack.resolve(element.logicalId) as string;
  return stack.nestedStackResource ? `${flatId(stack.nestedStackResource)}${NESTED_ID_SEPARATOR}${own}` : own;
}

/**
 * A top-level stack's template, with every nested template it loads recorded for cfn-lint too,
 * unless `record` is false (generated templates that are not meant to be deployable).
 */
export function flattenedTemplate(assembly: CloudAssembly, stackName: string, record = true): { template: Template; flat: Template } {
  const artifact = assembly.getStackByName(stackName);
  const loader = assemblyTemplateLoader(assembly.directory, assetFiles(assembly.directory));
  const recording: typeof loader = (id, resource) => {
    const nested = loader(id, resource);
    if (nested && record) recordTemplate(nested);
    return nested;
  };
  const template = artifact.template as Template;
  return { template, flat: flattenNestedStacks(template, recording) };
}

/** asset hash -> absolute path of the asset, from every asset manifest of the assembly. */
export function assetFiles(assemblyDir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of fs.readdirSync(assemblyDir).filter((f) => f.endsWith('.assets.json'))) {
    const manifest = JSON.parse(fs.readFileSync(path.join(assemblyDir, name), 'utf8'));
    for (const [hash, asset] of Object.entries<any>(manifest.files ?? {})) files[hash] = path.join(assemblyDir, asset.source.path);
  }
  return files;
}

/** Every logical id or parameter a template value refers to (Ref, Fn::GetAtt, Fn::Sub's `${…}`), with where. */
export function referencesIn(value: unknown, where = ''): Array<{ target: string; where: string }> {
  if (Array.isArray(value)) return value.flatMap((item, i) => referencesIn(item, `${where}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  const found: Array<{ target: string; where: string }> = [];
  for (const [key, item] of Object.entries(value)) {
    if (key === 'Ref' && typeof item === 'string') {
      found.push({ target: item, where });
    } else if (key === 'Fn::GetAtt' && Array.isArray(item) && typeof item[0] === 'string') {
      found.push({ target: item[0], where });
    } else if (key === 'Fn::Sub') {
      const [text, variables] = typeof item === 'string' ? [item, {}] : item;
      for (const [, name] of String(text).matchAll(/\$\{([^!}][^}]*)\}/g)) {
        if (!(name in (variables ?? {}))) found.push({ target: name.split('.')[0], where });
      }
    }
    found.push(...referencesIn(item, `${where}.${key}`));
  }
  return found;
}

/** The references of a template that name nothing in it (no resource, parameter or pseudo parameter). */
export function danglingReferences(template: Template): string[] {
  const known = new Set([...Object.keys(template.Resources ?? {}), ...Object.keys(template.Parameters ?? {})]);
  const refs = [
    ...Object.entries(template.Resources ?? {}).flatMap(([id, resource]) => [
      ...referencesIn(resource, id),
      ...[resource.DependsOn ?? []].flat().map((target) => ({ target: String(target), where: `${id}.DependsOn` })),
    ]),
    ...referencesIn(template.Outputs ?? {}, 'Outputs'),
  ];
  return refs.filter((r) => !known.has(r.target) && !r.target.startsWith('AWS::')).map((r) => `${r.where} → ${r.target}`);
}
