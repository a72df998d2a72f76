/**
 * Compiles an EventBridge-style pattern (the syntax Lambda event filtering documents as its own:
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html) into sub-rules, or
 * refuses it with event-ruler's reason, as AWS refuses it when the filter is created. The checks
 * follow event-ruler's JsonRuleCompiler (software.amazon.event.ruler, 2.1.0) in its order, so the
 * reason is the one AWS gives; packages/cli/test/event-pattern.oracle.property.test.ts holds this
 * compiler to event-ruler itself.
 */
import { InvalidPatternError } from './invalid-pattern-error';
import { ipAddress, ipRange } from './ip-address';

export { InvalidPatternError };

export type Scalar = string | number | boolean | null;

/** What one value of a pattern's list accepts: a test of a leaf value, or the field's absence. */
export type ValueMatcher = { readonly absent: true } | { readonly absent?: false; readonly test: (value: Scalar) => boolean };

/** One alternative of a pattern ($or makes several): field path (dot-joined, as event-ruler) to its matchers. */
export type SubRule = Map<string, ValueMatcher[]>;

const OR = '$or';
/** Names a field inside "$or" cannot have (event-ruler's Constants.RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP). */
const RESERVED_IN_OR = new Set([
  'exactly', 'equals-ignore-case', 'prefix', 'suffix', 'anything-but', 'exists', 'wildcard', 'numeric', 'cidr',
  '=', '<', '<=', '>', '>=', 'regex', 'not-wildcard', 'not-equals-ignore-case',
  'date-after', 'date-on-or-after', 'date-before', 'date-on-or-before', 'in-date-range',
  'ip-address-in-range', 'ip-address-not-in-range',
]);

const refuse = (reason: string): never => {
  throw new InvalidPatternError(reason);
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number';

/** The text event-ruler's parser shows for a token in a reason ("]" where a list ended early). */
function tokenText(value: unknown): string {
  if (value === undefined) return ']';
  if (Array.isArray(value)) return '[';
  if (isObject(value)) return '{';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The sub-rules of a pattern (one, or one for each branch of its "$or"s), or InvalidPatternError. */
export function compilePattern(pattern: unknown): SubRule[] {
  if (!isObject(pattern)) refuse('Filter is not an object');
  const rules: SubRule[] = [];
  compileObject(rules, [], pattern as Record<string, unknown>, false);
  return rules;
}

function compileObject(rules: SubRule[], path: string[], object: Record<string, unknown>, insideOr: boolean): void {
  const entries = Object.entries(object);
  for (const [name, value] of entries) {
    if (name === OR) {
      compileOr(rules, path, value);
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(name)) refuse(`${name} is Ruler reserved fieldName which cannot be used inside ${OR}.`);
    if (isObject(value)) compileObject(rules, [...path, name], value, insideOr);
    else if (Array.isArray(value)) writeRules(rules, fieldName(path, name), value);
    else refuse(`"${name}" must be an object or an array`);
  }
  if (entries.length === 0) refuse('Empty objects are not allowed');
}

/** "$or": each branch is the rules so far with the branch's fields added. */
function compileOr(rules: SubRule[], path: string[], branches: unknown): void {
  const before = rules.map((r) => new Map(r));
  rules.length = 0;
  if (!Array.isArray(branches)) refuse(`It must be an Array followed with ${OR}.`);
  for (const branch of branches as unknown[]) {
    if (!isObject(branch)) refuse(`Only JSON object is allowed in array of ${OR} relationship.`);
    const branchRules = before.length === 0 ? [new Map()] : before.map((r) => new Map(r));
    compileObject(branchRules, path, branch as Record<string, unknown>, true);
    rules.push(...branchRules);
  }
  if ((branches as unknown[]).length < 2) refuse(`There must have at least 2 Objects in ${OR} relationship.`);
}

/**
 * The dot-joined name of a field, as event-ruler's Path.extendedName writes it: no dot after a
 * parent path whose name is empty (so {"": {"b": [..]}} names "b", where the event's field is ".b").
 */
function fieldName(path: string[], name: string): string {
  const base = path.join('.');
  return base === '' ? name : `${base}.${name}`;
}

function writeRules(rules: SubRule[], name: string, values: unknown[]): void {
  const matchers = values.map((value): ValueMatcher => {
    if (isObject(value)) return matchExpression(value);
    if (typeof value === 'string') {
      // A string that reads as an IP address matches that address however it is written.
      const ip = ipAddress(value);
      if (ip) return { test: (v) => typeof v === 'string' && ipAddress(v)?.equals(ip) === true };
      return { test: (v) => v === value };
    }
    if (isNumber(value) || typeof value === 'boolean' || value === null) return { test: (v) => v === value };
    return refuse('Match value must be String, number, true, false, or null');
  });
  if (matchers.length === 0) refuse('Empty arrays are not allowed');
  if (rules.length === 0) rules.push(new Map());
  // A path given twice (by a dotted name, or again in an "$or" branch) takes the last list, as in
  // event-ruler's default (rule overriding).
  for (const rule of rules) rule.set(name, matchers);
}

/** One `{ "operator": ... }` of a field's list. */
function matchExpression(expression: Record<string, unknown>): ValueMatcher {
  const [entry, ...more] = Object.entries(expression);
  if (!entry) return refuse('Match expression name not found');
  const [operator, operand] = entry;
  const onlyOneKey = () => {
    if (more.length > 0) refuse('Only one key allowed in match expression');
  };
  switch (operator) {
    case 'exactly': {
      if (typeof operand !== 'string') refuse('exact match pattern must be a string');
      onlyOneKey();
      return { test: (v) => v === operand };
    }
    case 'prefix':
    case 'suffix': {
      if (isObject(operand)) {
        const test = ignoreCaseAffix(operator, operand);
        onlyOneKey();
        return { test };
      }
      if (typeof operand !== 'string') refuse(`${operator} match pattern must be a string`);
      onlyOneKey();
      const affix = operand as string;
      return { test: (v) => typeof v === 'string' && (operator === 'prefix' ? v.startsWith(affix) : v.endsWith(affix)) };
    }
    case 'numeric': {
      if (!Array.isArray(operand)) refuse('Value of numeric must be an array.');
      const test = numericRange(operand as unknown[]);
      if (more.length > 0) refuse('Too many elements in numeric expression');
      return { test };
    }
    case 'anything-but':
      return anythingBut(operand, more.length > 0);
    case 'exists': {
      if (typeof operand !== 'boolean') refuse('exists match pattern must be either true or false.');
      onlyOneKey();
      return operand ? { test: () => true } : { absent: true };
    }
    case 'cidr': {
      if (typeof operand !== 'string') refuse('prefix match pattern must be a string');
      const range = ipRange(operand as string);
      onlyOneKey();
      return { test: (v) => typeof v === 'string' && range.includes(ipAddress(v)) };
    }
    case 'equals-ignore-case': {
      if (typeof operand !== 'string') refuse('equals-ignore-case match pattern must be a string');
      onlyOneKey();
      const re = ignoreCase(operand as string, '^', '$');
      return { test: (v) => typeof v === 'string' && re.test(v) };
    }
    case 'wildcard': {
      if (typeof operand !== 'string') refuse('wildcard match pattern must be a string');
      const re = wildcard(operand as string);
      onlyOneKey();
      return { test: (v) => typeof v === 'string' && re.test(v) };
    }
    default:
      return refuse(`Unrecognized match type ${operator}`);
  }
}

/** `{"prefix": {"equals-ignore-case": "..."}}` and its suffix twin. */
function ignoreCaseAffix(operator: 'prefix' | 'suffix', operand: Record<string, unknown>): (v: Scalar) => boolean {
  const Operator = operator === 'prefix' ? 'Prefix' : 'Suffix';
  const [entry, ...more] = Object.entries(operand);
  if (!entry) refuse(`${Operator} expression name not found`);
  const [inner, value] = entry;
  if (inner !== 'equals-ignore-case') refuse(`Unsupported ${operator} pattern: ${inner}`);
  if (typeof value !== 'string') refuse('equals-ignore-case match pattern must be a string');
  if (more.length > 0) refuse('Only one key allowed in match expression');
  const re = operator === 'prefix' ? ignoreCase(value as string, '^', '') : ignoreCase(value as string, '', '$');
  return (v) => typeof v === 'string' && re.test(v);
}

/** `numeric`: ["=", n], one bound, or a lower bound then an upper one. Matches JSON numbers only. */
function numericRange(terms: unknown[]): (v: Scalar) => boolean {
  const [operator, bound] = terms;
  if (typeof operator !== 'string') refuse(`Invalid member in numeric match: ${tokenText(operator)}`);
  const name = operator === '=' ? 'equals' : operator;
  const numericBound = (): number => {
    if (!isNumber(bound)) refuse(`Value of ${name} must be numeric`);
    return bound as number;
  };
  const single = (test: (n: number, b: number) => boolean) => {
    const b = numericBound();
    if (terms.length > 2) refuse('Too many elements in numeric expression');
    return (v: Scalar) => isNumber(v) && test(v, b);
  };
  switch (operator) {
    case '=': return single((n, b) => n === b);
    case '<': return single((n, b) => n < b);
    case '<=': return single((n, b) => n <= b);
    case '>':
    case '>=': {
      const bottom = numericBound();
      const lower = operator === '>' ? (n: number) => n > bottom : (n: number) => n >= bottom;
      if (terms.length === 2) return (v) => isNumber(v) && lower(v);
      const [, , topOperator, top] = terms;
      if (typeof topOperator !== 'string') refuse(`Bad value in numeric range: ${tokenText(topOperator)}`);
      if (topOperator !== '<' && topOperator !== '<=') refuse(`Bad numeric range operator: ${topOperator}`);
      if (!isNumber(top)) refuse(`Value of ${topOperator} must be numeric`);
      if (terms.length > 4) refuse('Too many terms in numeric range expression');
      if (!(bottom < (top as number))) refuse('Bottom must be less than top');
      const upper = topOperator === '<' ? (n: number) => n < (top as number) : (n: number) => n <= (top as number);
      return (v) => isNumber(v) && lower(v) && upper(v);
    }
    default:
      return refuse(`Unrecognized numeric range operator: ${operator}`);
  }
}

type AnythingButForm = 'equals-ignore-case' | 'prefix' | 'suffix' | 'wildcard';
const ANYTHING_BUT_FORMS = new Set<string>(['equals-ignore-case', 'prefix', 'suffix', 'wildcard']);

/**
 * `anything-but`: matches any leaf value but the ones named (a value of another type always
 * matches), or any but the strings an equals-ignore-case/prefix/suffix/wildcard form accepts.
 */
function anythingBut(operand: unknown, moreKeys: boolean): ValueMatcher {
  let form: AnythingButForm | undefined;
  let values = operand;
  let formHasMoreKeys = false;
  if (isObject(operand)) {
    const [entry, ...more] = Object.entries(operand);
    if (!entry) refuse('Anything-But expression name not found');
    if (!ANYTHING_BUT_FORMS.has(entry[0])) refuse(`Unsupported anything-but pattern: ${entry[0]}`);
    form = entry[0] as AnythingButForm;
    values = entry[1];
    formHasMoreKeys = more.length > 0;
  }
  if (!Array.isArray(values) && typeof values !== 'string' && !isNumber(values)) {
    refuse('Value of anything-but must be an array or single string/number value.');
  }
  const list = Array.isArray(values) ? values : [values];
  const matcher = form ? anythingButForm(form, list, Array.isArray(values)) : anythingButValues(list, Array.isArray(values));
  if (formHasMoreKeys || moreKeys) refuse('Too many elements in numeric expression');
  return matcher;
}

function anythingButValues(list: unknown[], isList: boolean): ValueMatcher {
  for (const value of list) {
    if (typeof value !== 'string' && !isNumber(value)) refuse(`Inside anything${isList ? ' ' : '-'}but list, start|null|boolean is not supported.`);
  }
  const strings = list.filter((v) => typeof v === 'string');
  if (isList && (strings.length === list.length) === (strings.length === 0)) {
    refuse('Inside anything but list, either all values are number or string, mixed type is not supported');
  }
  return { test: (v) => !list.includes(v) };
}

function anythingButForm(form: AnythingButForm, list: unknown[], isList: boolean): ValueMatcher {
  for (const value of list) {
    if (typeof value === 'string') {
      if ((form === 'prefix' || form === 'suffix') && value === '') refuse('Null prefix/suffix not allowed');
    } else if (form === 'equals-ignore-case') {
      refuse('Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.');
    } else if (form === 'wildcard') {
      refuse('wildcard match pattern must be a string');
    } else {
      refuse('prefix/suffix match pattern must be a string');
    }
  }
  // event-ruler takes an empty list here, then fails on the first event it matches: refused
  // locally, as a filter that can only fail.
  if (isList && list.length === 0) refuse(`anything-but ${form} needs at least one value`);
  const texts = list as string[];
  const excluded: Array<(s: string) => boolean> = texts.map((text) => {
    switch (form) {
      case 'prefix': return (s) => s.startsWith(text);
      case 'suffix': return (s) => s.endsWith(text);
      case 'equals-ignore-case': {
        const re = ignoreCase(text, '^', '$');
        return (s) => re.test(s);
      }
      case 'wildcard': {
        const re = wildcard(text);
        return (s) => re.test(s);
      }
    }
  });
  return { test: (v) => typeof v !== 'string' || !excluded.some((isExcluded) => isExcluded(v)) };
}

const escapeRegExp = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

/**
 * equals-ignore-case as event-ruler reads it: each UTF-16 unit of the pattern stands for its lower
 * or its upper case (Locale.ROOT), so "ß" also accepts "SS", and "ǅ" accepts "ǆ" or "Ǆ" but not itself;
 * a character outside the BMP accepts "??" only.
 */
function ignoreCase(text: string, start: string, end: string): RegExp {
  let source = '';
  for (const unit of text.split('')) {
    // Half a surrogate pair is encoded alone, which Java writes as "?": such a pattern never
    // matches the character itself.
    if (/[\ud800-\udfff]/.test(unit)) {
      source += '\\?';
      continue;
    }
    const lower = unit.toLowerCase();
    const upper = unit.toUpperCase();
    source += lower === upper ? escapeRegExp(lower) : `(?:${escapeRegExp(lower)}|${escapeRegExp(upper)})`;
  }
  return new RegExp(`${start}${source}${end}`);
}

/**
 * wildcard: `*` stands for any run of characters; `\*` and `\\` for themselves; any other escape
 * and `**` are refused, with the position event-ruler gives (UTF-8 bytes, counting its opening quote).
 */
function wildcard(text: string): RegExp {
  let source = '';
  let position = 1;
  const chars = Array.from(text);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === '*') {
      if (chars[i + 1] === '*') refuse(`Consecutive wildcard characters at pos ${position}`);
      source += '[\\s\\S]*';
    } else if (c === '\\') {
      const next = chars[i + 1];
      if (next !== '*' && next !== '\\') refuse(`Invalid escape character at pos ${position}`);
      source += escapeRegExp(next);
      position += 1;
      i++;
    } else {
      source += escapeRegExp(c);
    }
    position += Buffer.byteLength(c);
  }
  return new RegExp(`^${source}$`);
}
