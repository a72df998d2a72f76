/**
 * API Gateway's mapping templates as the local runtime renders them: the variables API Gateway
 * documents, Java's String methods and escaping, JSONPath, and the rules that make a template fail
 * on AWS (overrides set twice, methods a Java string lacks).
 */
import * as fc from 'fast-check';
import { runs } from '../../../test/support/arbitraries';
import { escapeJavaScript, evaluateJsonPath, renderMappingTemplate, TemplateError } from '../src/mapping-template';

const render = (template: string, body = '{}', context: Record<string, unknown> = {}) =>
  renderMappingTemplate(template, { body, params: { header: { 'X-Thing': 'h' } } }, { requestId: 'r-1', ...context });

describe('$util.escapeJavaScript', () => {
  test('escapes as commons-lang\'s StringEscapeUtils.escapeJavaScript: quotes, slash, backslash, controls, non-ASCII', () => {
    expect(escapeJavaScript('He said "hi", it\'s a/b\\c')).toBe('He said \\"hi\\", it\\\'s a\\/b\\\\c');
    expect(escapeJavaScript('\n\t\r\b\f\u0001\u007f')).toBe('\\n\\t\\r\\b\\f\\u0001\u007f');
    expect(escapeJavaScript('é😀\u2028')).toBe('\\u00E9\\uD83D\\uDE00\\u2028');
  });

  test('with the documented .replaceAll("\\\\\'","\'"), any string becomes a JSON string that reads back as itself', () => {
    const template = '{"value": "$util.escapeJavaScript($input.path(\'$.s\')).replaceAll("\\\\\'","\'")"}';
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
      const { output } = render(template, JSON.stringify({ s }));
      expect(JSON.parse(output)).toEqual({ value: s });
    }), runs(500));
  });

  test('without it, a quote makes invalid JSON, as on AWS', () => {
    const { output } = render('"$util.escapeJavaScript($input.body)"', 'it\'s');
    expect(() => JSON.parse(output)).toThrow();
  });
});

describe('$input', () => {
  test('body, json and path read the payload; params the request', () => {
    const body = JSON.stringify({ a: { 'b c': [1, { d: 'x"y' }] }, n: 3 });
    expect(render('$input.body', body).output).toBe(body);
    expect(render('$input.json("$.a[\'b c\'][1]")', body).output).toBe('{"d":"x\\"y"}');
    expect(render('#set($n = $input.path(\'$.n\') + 1)$n', body).output).toBe('4');
    expect(render('$input.params(\'x-thing\')|$input.params(\'nope\')|').output).toBe('h||');
  });

  test('a path to nothing is nothing: printed as itself, or empty when quiet', () => {
    expect(render('[$!input.path(\'$.missing\')][$input.path(\'$.missing\')]').output).toBe('[][$input.path(\'$.missing\')]');
  });

  test('JSONPath is the definite subset; anything else fails the template', () => {
    const root = { 'a': [{ b: 1 }], 'x.y': 2 };
    expect(evaluateJsonPath(root, '$')).toBe(root);
    expect(evaluateJsonPath(root, '$.a[0].b')).toBe(1);
    expect(evaluateJsonPath(root, '$[\'x.y\']')).toBe(2);
    expect(evaluateJsonPath(root, '$.a.b')).toBeUndefined();
    expect(evaluateJsonPath(root, '$.toString')).toBeUndefined();
    for (const expression of ['$..b', '$.a[*]', '$.a[?(@.b)]', 'a']) expect(() => evaluateJsonPath(root, expression)).toThrow(TemplateError);
  });

  test('a payload that is not JSON fails a template that reads it as JSON', () => {
    expect(() => render('$input.path(\'$.a\')', 'not json')).toThrow('it is not JSON');
    expect(render('$input.body', 'not json').output).toBe('not json');
  });
});

describe('Velocity 1.7\'s rules, where velocityjs has others', () => {
  test('#set to a null value keeps the old value', () => {
    expect(render('#set($a = 5)#set($a = $nope)$a|#set($b = "x")#set($b = $input.path(\'$.missing\'))$b|#set($c = 1)#set($c = $input.path(\'$.n\'))$c', '{"n":null}').output)
      .toBe('5|x|1');
  });

  test('/ of two whole numbers is integer division; / and % by zero are null', () => {
    expect(render('#set($a = 7 / 2)$a|#set($b = -7 / 2)$b|#set($c = 7 % 3)$c').output).toBe('3|-3|1');
    expect(render('#set($a = 1)#set($a = 7 / 0)$a|#set($b = 2)#set($b = 7 % 0)$b').output).toBe('1|2');
  });

  test('spaces and tabs alone before a #set belong to the directive; after other text they are text', () => {
    expect(render(' #set($x = 1)$x \t#set($y = 2)$y#if(true) #set($z = 3)$z#end').output).toBe('123');
    expect(render('a #set($x = 1)b\n \t#set($y = 2)c').output).toBe('a b\n \tc');
  });

  test('a property of nothing renders as written, or empty with $!', () => {
    expect(render('[$!nope.x][$nope.x][$!nope.x.y]').output).toBe('[][$nope.x][]');
  });

  test('$util.escapeJavaScript of nothing is nothing (the reference prints as written); the others fail', () => {
    expect(render('[$util.escapeJavaScript($nope)][$!util.escapeJavaScript($nope)]').output).toBe('[$util.escapeJavaScript($nope)][]');
    expect(() => render('$util.base64Encode($nope)')).toThrow('$util.base64Encode() of nothing');
  });

  test('a number has longValue(), a whole number however it is written', () => {
    expect(render('$input.path(\'$.a\').longValue() $input.path(\'$.b\').longValue()|#set($v = $input.path(\'$.a\').longValue() + 1)$v', '{"a":1.0,"b":1e2}').output)
      .toBe('1 100|2');
    expect(() => render('#set($n = 1)$n.floatValue()')).toThrow('a number has no method floatValue()');
  });
});

describe('strings are java.lang.String', () => {
  test('Java\'s methods, with Java\'s regular expressions and replacement syntax', () => {
    const out = render([
      '#set($s = "a-b-c")',
      '$s.length() $s.contains("b") $s.substring(2) $s.indexOf("c") $s.matches("[a-c-]+") $s.matches("b")',
      ' $s.replaceAll("-(.)", "$1") $s.replaceFirst("-", "\\\\$") $s.equals("a-b-c") $s.isEmpty()',
    ].join('')).output;
    expect(out).toBe('5 true b-c 4 true false abc a$b-c true false');
  });

  test('a JavaScript-only method fails, as on AWS', () => {
    expect(() => render('#set($s = "abc")$s.includes("b")')).toThrow('a string has no method includes()');
    expect(() => render('#set($s = "abc")$s.substring(5)')).toThrow('out of range');
  });
});

describe('$context.responseOverride', () => {
  test('status and headers are returned, with hyphenated header names', () => {
    const rendered = render('#set($context.responseOverride.status = 409)#set($context.responseOverride.header.Retry-After = "1")x');
    expect(rendered).toEqual({ output: 'x', status: 409, headers: { 'Retry-After': '1' } });
    expect(render('x')).toEqual({ output: 'x', status: undefined, headers: {} });
  });

  test('overrides are final: a second one fails the template (API Gateway answers 5XX)', () => {
    expect(() => render('#set($context.responseOverride.status = 409)#set($context.responseOverride.status = 201)')).toThrow('set twice');
    expect(() => render('#set($context.responseOverride.header.A = "1")#set($context.responseOverride.header.A = "2")')).toThrow('set twice');
    expect(() => render('#set($context.responseOverride.status = "soon")')).toThrow('is not a status code');
  });

  test('the request\'s context variables are there', () => {
    expect(render('$context.requestId $context.requestTimeEpoch', '{}', { requestTimeEpoch: 1796000000000 }).output).toBe('r-1 1796000000000');
  });
});
