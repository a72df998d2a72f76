import type * as Velocity from 'velocityjs';

/**
 * API Gateway's mapping templates (Velocity, VTL), rendered with velocityjs and the variables API
 * Gateway gives a REST API's templates, for the integrations the construct makes. Never kinder
 * than AWS: what API Gateway does not document fails here rather than working by accident.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
 *
 * - `$input.body`, `$input.json(path)`, `$input.path(path)`, `$input.params()`: JSONPath is the
 *   definite subset (`$`, `.name`, `['name']`, `[0]`); any other expression fails the template.
 * - `$util.escapeJavaScript` escapes as Java's commons-lang does, `'` as `\'` included, which is
 *   not valid JSON (the documentation's `.replaceAll("\\'","'")` undoes it); `base64Encode` and
 *   `base64Decode` work on UTF-8; `parseJson`, `urlEncode` and `urlDecode` too.
 * - Strings have the methods of a Java String (`length()`, `replaceAll` with Java regular
 *   expressions...), not JavaScript's: `.includes()` fails, as it would on AWS.
 * - Numbers have `longValue()`, as a java.lang.Number does. A JSON number is a JavaScript number
 *   here, so `1.0` reads as `1`; Velocity would hold a Double and print `2.0` for `1.0 + 1` (the
 *   construct's templates call `longValue()` so they never print one).
 * - `$context.responseOverride.status` and `.header.*` may each be set once: "Overrides are final.
 *   An override may only be applied to each parameter once... API Gateway returns a 5XX response"
 *   (apigateway-override-request-response-parameters.html).
 * - Velocity 1.7's rules where velocityjs has others (https://velocity.apache.org/engine/1.7/user-guide.html,
 *   checked against Velocity 1.7 itself in packages/cli/test/mapping-template.oracle.property.test.ts):
 *   `#set` to a null value keeps the old value; `/` of two whole numbers is integer division (`7 / 2`
 *   is 3), and `/` or `%` by zero is null; a reference to a property of nothing prints as written,
 *   or nothing with `$!`; spaces alone before a `#set` are the directive's, not text.
 */

/** What a template maps: the method request (an integration request's template) or the integration's answer. */
export interface TemplateInput {
  /** The payload, as text. */
  readonly body: string;
  /** The method request's parameters, as `$input.params()` gives them. */
  readonly params?: {
    readonly path?: Record<string, string>;
    readonly querystring?: Record<string, string>;
    readonly header?: Record<string, string>;
  };
}

export interface RenderedTemplate {
  readonly output: string;
  /** `$context.responseOverride.status`, when set. */
  readonly status?: number;
  /** `$context.responseOverride.header.*`. */
  readonly headers: Record<string, string>;
}

/** A template that API Gateway would fail on (it answers 500 for those). */
export class TemplateError extends Error {}

/**
 * Renders `template` with `$input` over `input`, `$util`, and `$context` (the request's context
 * variables, plus the response overrides).
 */
export function renderMappingTemplate(template: string, input: TemplateInput, context: Record<string, unknown>): RenderedTemplate {
  const velocity = loadVelocity();
  const overrides = responseOverrides();
  const variables = {
    input: inputVariable(input),
    util: UTIL,
    context: { ...context, responseOverride: overrides.variable },
  };
  let output: string;
  try {
    const ast = withoutSpaceBeforeSet(velocity.parse(template));
    const compiled = new velocity.Compile(ast, { escape: false, customMethodHandlers: [JAVA_STRING, JAVA_NUMBER] });
    output = asVelocity17(compiled).render(variables);
  } catch (err) {
    throw err instanceof TemplateError ? err : new TemplateError(`the mapping template failed: ${(err as Error).message}`);
  }
  overrides.check();
  return { output, status: overrides.status(), headers: overrides.headers };
}

/**
 * Velocity 1.7's lexer takes the spaces and tabs before a `#set` as part of the directive
 * (`<SET_DIRECTIVE: (" "|"\t")* "#set" ...>`) where they do not end a run of other text: `$a #set(...)`
 * and a line's leading ` #set(...)` lose them, `a #set(...)` keeps its space (checked against Velocity 1.7).
 */
function withoutSpaceBeforeSet<T>(nodes: T): T {
  if (!Array.isArray(nodes)) return nodes;
  const out: unknown[] = nodes.map((node) => withoutSpaceBeforeSet(node));
  out.forEach((node, i) => {
    if ((node as { type?: string } | null)?.type !== 'set') return;
    // velocityjs may split one run of text into several nodes: the run is all of them.
    let start = i;
    while (start > 0 && typeof out[start - 1] === 'string') start--;
    if (start < i && /^[ \t]+$/.test(out.slice(start, i).join(''))) out.fill('', start, i);
  });
  return out as T;
}

/** The node velocityjs's #set is handed once its value is known (so the value is computed once). */
const COMPUTED = Symbol('computed');

/** Velocity 1.7's #set of null, integer division and division by zero, on velocityjs's evaluator. */
function asVelocity17(compiled: Velocity.Compile): Velocity.Compile {
  const evaluator = compiled as unknown as {
    config: { valueMapper?: (value: unknown) => unknown };
    getExpression(ast: any): unknown;
    getLiteral(ast: any): unknown;
    setValue(ast: any): void;
  };
  const getExpression = evaluator.getExpression.bind(evaluator);
  const setValue = evaluator.setValue.bind(evaluator);
  evaluator.getExpression = (ast: any) => {
    if (ast?.type === 'math' && ast.operator === COMPUTED) return ast.value;
    if (ast?.type === 'math' && (ast.operator === '/' || ast.operator === '%')) {
      const left = evaluator.getExpression(ast.expression[0]);
      const right = evaluator.getExpression(ast.expression[1]);
      // Velocity 1.7 logs "Right side of division operation is zero" (or that a side is not a
      // number) and the result is null.
      if (typeof left !== 'number' || typeof right !== 'number' || right === 0) return undefined;
      if (ast.operator === '%') return left % right;
      return Number.isInteger(left) && Number.isInteger(right) ? Math.trunc(left / right) : left / right;
    }
    return getExpression(ast);
  };
  evaluator.setValue = (ast: any) => {
    const valueAst = ast.equal[1];
    const value = valueAst.type === 'math' ? evaluator.getExpression(valueAst) : evaluator.config.valueMapper?.(evaluator.getLiteral(valueAst));
    // Velocity 1.7 (directive.set.null.allowed = false): "If the RHS is a property or method
    // reference that evaluates to null, it will not be assigned to the LHS."
    if (value === null || value === undefined) return;
    setValue({ ...ast, equal: [ast.equal[0], { type: 'math', operator: COMPUTED, value }] });
  };
  return compiled;
}

function loadVelocity(): typeof Velocity {
  // Loaded when a template is rendered: only apps with a DIRECT write path need it (packages.ts checks it is there).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('velocityjs') as typeof Velocity;
}

function inputVariable(input: TemplateInput) {
  let parsed: { value: unknown } | undefined;
  const root = () => {
    if (!parsed) {
      try {
        parsed = { value: JSON.parse(input.body) };
      } catch {
        throw new TemplateError('the mapping template read the payload as JSON, and it is not JSON');
      }
    }
    return parsed.value;
  };
  return {
    body: input.body,
    path: (expression: string) => evaluateJsonPath(root(), expression),
    json: (expression: string) => {
      const value = evaluateJsonPath(root(), expression);
      return value === undefined ? undefined : JSON.stringify(value);
    },
    params: (name?: string) => {
      const params = { path: {}, querystring: {}, header: {}, ...input.params };
      if (name === undefined) return params;
      // Path, then query string, then header, as the documentation lists them.
      for (const where of [params.path, params.querystring, params.header] as Array<Record<string, string>>) {
        const found = Object.entries(where).find(([key]) => key === name || (where === params.header && key.toLowerCase() === name.toLowerCase()));
        if (found) return found[1];
      }
      return '';
    },
  };
}

/** A definite JSONPath: `$` followed by `.name`, `['name']` or `[index]` steps. Undefined when nothing is there. */
export function evaluateJsonPath(root: unknown, expression: string): unknown {
  if (typeof expression !== 'string' || !expression.startsWith('$')) throw new TemplateError(`JSONPath ${expression} must start with "$"`);
  const step = /^(?:\.([A-Za-z_$][\w$-]*)|\['((?:[^'\\]|\\.)*)'\]|\[(\d+)\])/;
  let value = root;
  let rest = expression.slice(1);
  while (rest.length > 0) {
    const match = step.exec(rest);
    if (!match) throw new TemplateError(`JSONPath ${expression}: only $, .name, ['name'] and [index] are emulated here`);
    rest = rest.slice(match[0].length);
    const key = match[1] ?? match[2]?.replace(/\\(.)/g, '$1') ?? Number(match[3]);
    if (value === null || typeof value !== 'object') return undefined;
    if (typeof key === 'number' ? !Array.isArray(value) : Array.isArray(value)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(value, key)) return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

/**
 * Of nothing (a null reference), escapeJavaScript is null, as commons-lang's is (Velocity then
 * prints the reference as written); the others fail rather than read "undefined".
 */
const UTIL = {
  escapeJavaScript: (value: unknown) => (value === undefined || value === null ? undefined : escapeJavaScript(String(value))),
  base64Encode: (value: unknown) => Buffer.from(stringArgument(value, 'base64Encode'), 'utf8').toString('base64'),
  base64Decode: (value: unknown) => Buffer.from(stringArgument(value, 'base64Decode'), 'base64').toString('utf8'),
  parseJson: (value: unknown) => JSON.parse(stringArgument(value, 'parseJson')),
  urlEncode: (value: unknown) => encodeURIComponent(stringArgument(value, 'urlEncode')).replace(/%20/g, '+').replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
  urlDecode: (value: unknown) => decodeURIComponent(stringArgument(value, 'urlDecode').replace(/\+/g, ' ')),
};

function stringArgument(value: unknown, method: string): string {
  if (value === undefined || value === null) throw new TemplateError(`$util.${method}() of nothing (a null reference)`);
  return String(value);
}

/**
 * Java's StringEscapeUtils.escapeJavaScript (commons-lang 2): `"`, `'`, `\` and `/` escaped with a
 * backslash, the usual control characters by letter, every other character below space or above
 * DEL (0x7f, which stays as it is) as `\uXXXX` (upper-case hex).
 */
export function escapeJavaScript(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const ch = text[i];
    if (c > 0x7f || c < 0x20) {
      const named: Record<number, string> = { 0x08: '\\b', 0x09: '\\t', 0x0a: '\\n', 0x0c: '\\f', 0x0d: '\\r' };
      out += named[c] ?? `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
    } else if (ch === '"' || ch === '\'' || ch === '\\' || ch === '/') {
      out += `\\${ch}`;
    } else {
      out += ch;
    }
  }
  return out;
}

/** `$context.responseOverride`: status and headers, each settable once. */
function responseOverrides() {
  let status: unknown;
  const headers: Record<string, string> = {};
  const problems: string[] = [];
  const variable: Record<string, unknown> = {};
  Object.defineProperty(variable, 'status', {
    enumerable: true,
    get: () => status,
    set: (value: unknown) => {
      if (status !== undefined) problems.push('$context.responseOverride.status was set twice');
      status = value;
    },
  });
  variable.header = new Proxy(headers, {
    set: (target, name, value) => {
      if (typeof name !== 'string') return false;
      if (Object.prototype.hasOwnProperty.call(target, name)) problems.push(`$context.responseOverride.header.${name} was set twice`);
      target[name] = String(value);
      return true;
    },
  });
  return {
    variable,
    headers,
    status: () => (status === undefined ? undefined : Number(status)),
    check: () => {
      if (problems.length > 0) throw new TemplateError(`${problems.join('; ')} (overrides are final)`);
      if (status !== undefined && !/^[1-5]\d\d$/.test(String(status))) throw new TemplateError(`$context.responseOverride.status ${String(status)} is not a status code`);
    },
  };
}

/** The methods of java.lang.String that behave the same here; any other method of a string fails. */
const STRING_METHODS: Record<string, (s: string, ...args: any[]) => unknown> = {
  length: (s) => s.length,
  isEmpty: (s) => s.length === 0,
  equals: (s, other) => s === other,
  equalsIgnoreCase: (s, other) => typeof other === 'string' && s.toLowerCase() === other.toLowerCase(),
  contains: (s, part) => s.includes(String(part)),
  startsWith: (s, prefix) => s.startsWith(String(prefix)),
  endsWith: (s, suffix) => s.endsWith(String(suffix)),
  indexOf: (s, part) => s.indexOf(String(part)),
  substring: (s, begin: number, end?: number) => {
    const stop = end ?? s.length;
    if (begin < 0 || stop > s.length || begin > stop) throw new TemplateError(`String.substring(${begin}, ${stop}) is out of range for a string of length ${s.length}`);
    return s.substring(begin, stop);
  },
  toLowerCase: (s) => s.toLowerCase(),
  toUpperCase: (s) => s.toUpperCase(),
  trim: (s) => s.trim(),
  toString: (s: string) => s,
  matches: (s, regex) => new RegExp(`^(?:${javaRegex(regex)})$`).test(s),
  replaceAll: (s, regex, replacement) => s.replace(new RegExp(javaRegex(regex), 'g'), javaReplacement(String(replacement))),
  replaceFirst: (s, regex, replacement) => s.replace(new RegExp(javaRegex(regex)), javaReplacement(String(replacement))),
  replace: (s, target, replacement) => s.split(String(target)).join(String(replacement)),
};

const JAVA_STRING = {
  uid: 'java.lang.String',
  match: ({ context }: { context: unknown }) => typeof context === 'string',
  resolve: ({ context, property, params }: { context: string; property: string; params: unknown[] }) => {
    const method = Object.prototype.hasOwnProperty.call(STRING_METHODS, property) ? STRING_METHODS[property] : undefined;
    if (!method) throw new TemplateError(`a string has no method ${property}() in a mapping template (it is a java.lang.String)`);
    return method(context, ...params);
  },
};

/** The methods of java.lang.Number a template may call on a number. */
const NUMBER_METHODS: Record<string, (n: number) => unknown> = {
  longValue: (n) => (Number.isFinite(n) ? Math.trunc(n) : n),
};

const JAVA_NUMBER = {
  uid: 'java.lang.Number',
  match: ({ context }: { context: unknown }) => typeof context === 'number',
  resolve: ({ context, property }: { context: number; property: string }) => {
    const method = Object.prototype.hasOwnProperty.call(NUMBER_METHODS, property) ? NUMBER_METHODS[property] : undefined;
    if (!method) throw new TemplateError(`a number has no method ${property}() in a mapping template (emulated: longValue())`);
    return method(context);
  },
};

/** A Java regular expression as a JavaScript one, for the syntax both share; the rest fails. */
function javaRegex(pattern: unknown): string {
  const text = String(pattern);
  if (/\\[pPQEAzZG]|\(\?[<]?[a-zA-Z]|[*+?}]\+/.test(text)) throw new TemplateError(`the Java regular expression ${text} uses syntax not emulated here`);
  return text;
}

/** Java's replacement syntax: `$n` is a group, a backslash quotes the next character. */
function javaReplacement(replacement: string): (match: string, ...groups: unknown[]) => string {
  return (match, ...groups) => replacement.replace(/\\(.)|\$(\d)/g, (_, quoted: string | undefined, group: string | undefined) =>
    (quoted !== undefined ? quoted : group === '0' ? match : String(groups[Number(group) - 1] ?? '')));
}
