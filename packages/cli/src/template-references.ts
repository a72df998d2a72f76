/**
 * Rewrites what a CloudFormation template's expressions refer to: logical ids and parameters
 * (Ref, Fn::GetAtt, Fn::Sub's `${…}`, DependsOn), condition names and mapping names. Anything the
 * rename leaves alone comes out structurally equal to what went in.
 */

/** What each kind of reference becomes; undefined keeps the reference as it is. */
export interface References {
  /** The expression that replaces `{ Ref: name }` (a logical id, a parameter or a pseudo parameter). */
  ref(name: string): unknown;
  /** The expression that replaces `{ 'Fn::GetAtt': [logicalId, attribute] }`. */
  getAtt(logicalId: string, attribute: string): unknown;
  /** The new name of a logical id, for DependsOn. */
  logicalId(name: string): string;
  condition(name: string): string;
  mapping(name: string): string;
}

/** A reference that renames nothing. */
export const NO_REFERENCES: References = {
  ref: () => undefined,
  getAtt: () => undefined,
  logicalId: (name) => name,
  condition: (name) => name,
  mapping: (name) => name,
};

/** A resource with its references rewritten: the expressions of its attributes, DependsOn and Condition. */
export function rewriteResource<R extends Record<string, unknown>>(resource: R, references: References): R {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    if (key === 'Type' || key === 'DeletionPolicy' || key === 'UpdateReplacePolicy') out[key] = value;
    else if (key === 'DependsOn') out[key] = Array.isArray(value) ? value.map((id) => references.logicalId(id)) : references.logicalId(value as string);
    else if (key === 'Condition' && typeof value === 'string') out[key] = references.condition(value);
    else out[key] = rewriteExpression(value, references);
  }
  return out as R;
}

/** An output with its value (and condition) rewritten. */
export function rewriteOutput<O extends { Value?: unknown; Condition?: unknown }>(output: O, references: References): O {
  return {
    ...output,
    ...('Value' in output ? { Value: rewriteExpression(output.Value, references) } : {}),
    ...(typeof output.Condition === 'string' ? { Condition: references.condition(output.Condition) } : {}),
  };
}

/** A condition of the Conditions section: there, `{ Condition: name }` names another condition. */
export function rewriteCondition(value: unknown, references: References): unknown {
  return rewriteExpression(value, references, true);
}

/** Any template value: intrinsics are rewritten wherever they are, everything else is copied. */
export function rewriteExpression(value: unknown, references: References, inConditions = false): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteExpression(item, references, inConditions));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [[fn, arg]] = entries;
    const rewritten = rewriteIntrinsic(fn, arg, references, inConditions);
    if (rewritten !== undefined) return rewritten;
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, rewriteExpression(item, references, inConditions)]));
}

/** One intrinsic function, or undefined when `fn` is not one this rename concerns. */
function rewriteIntrinsic(fn: string, arg: unknown, references: References, inConditions: boolean): unknown {
  const again = (item: unknown) => rewriteExpression(item, references, inConditions);
  switch (fn) {
    case 'Ref':
      return typeof arg === 'string' ? references.ref(arg) ?? { Ref: arg } : undefined;
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = typeof arg === 'string' ? splitAtFirstDot(arg) : (arg as [unknown, unknown]);
      if (typeof logicalId !== 'string' || attribute === undefined) return undefined;
      // An attribute named by an expression (Fn::GetAtt [id, { Ref: … }]).
      if (typeof attribute !== 'string') return { 'Fn::GetAtt': [references.logicalId(logicalId), again(attribute)] };
      return references.getAtt(logicalId, attribute) ?? { 'Fn::GetAtt': arg };
    }
    case 'Fn::Sub':
      return rewriteSub(arg, references, again);
    case 'Fn::If': {
      if (!Array.isArray(arg)) return undefined;
      const [condition, ...branches] = arg as unknown[];
      return typeof condition === 'string' ? { 'Fn::If': [references.condition(condition), ...branches.map(again)] } : undefined;
    }
    case 'Fn::FindInMap': {
      if (!Array.isArray(arg)) return undefined;
      const [mapping, ...keys] = arg as unknown[];
      return typeof mapping === 'string' ? { 'Fn::FindInMap': [references.mapping(mapping), ...keys.map(again)] } : undefined;
    }
    case 'Condition':
      return inConditions && typeof arg === 'string' ? { Condition: references.condition(arg) } : undefined;
    default:
      return undefined;
  }
}

/**
 * Fn::Sub: each `${name}` or `${logicalId.attribute}` that the rename replaces becomes a variable
 * of its own (`${Renamed0}`…), bound to the replacement expression, as Fn::Sub's second form allows.
 * `${!literal}` and the Fn::Sub's own variables stay as they are.
 */
function rewriteSub(arg: unknown, references: References, again: (item: unknown) => unknown): unknown {
  const [text, variables] = typeof arg === 'string' ? [arg, undefined] : (arg as [unknown, Record<string, unknown> | undefined]);
  if (typeof text !== 'string' || (variables !== undefined && (typeof variables !== 'object' || variables === null))) return { 'Fn::Sub': again(arg) };
  const bound: Record<string, unknown> = Object.fromEntries(Object.entries(variables ?? {}).map(([name, value]) => [name, again(value)]));
  let counter = 0;
  const fresh = () => {
    let name: string;
    do name = `Renamed${counter++}`; while (name in bound || text.includes(`\${${name}}`));
    return name;
  };
  let renamed = false;
  const rewritten = text.replace(/\$\{([^!}][^}]*)\}/g, (whole, name: string) => {
    if (variables && name in variables) return whole;
    const [logicalId, attribute] = splitAtFirstDot(name);
    const replaced = attribute === undefined ? references.ref(name) : references.getAtt(logicalId, attribute);
    if (replaced === undefined) return whole;
    const variable = fresh();
    bound[variable] = replaced;
    renamed = true;
    return `\${${variable}}`;
  });
  if (!renamed) return typeof arg === 'string' ? { 'Fn::Sub': arg } : { 'Fn::Sub': [text, ...(variables === undefined ? [] : [bound])] };
  return { 'Fn::Sub': [rewritten, bound] };
}

function splitAtFirstDot(text: string): [string, string | undefined] {
  const dot = text.indexOf('.');
  return dot < 0 ? [text, undefined] : [text.slice(0, dot), text.slice(dot + 1)];
}
