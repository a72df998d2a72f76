/**
 * Matches an event against an EventBridge-style pattern, as Lambda event filtering does: the
 * subset CDK's FilterRule writes (exact values, `numeric`, `exists`, `prefix`, `anything-but`).
 */
export function matchesPattern(event: unknown, pattern: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.some((rule) => matchesRule(event, rule));
  if (typeof pattern !== 'object' || pattern === null) return event === pattern;
  if (typeof event !== 'object' || event === null) return false;
  return Object.entries(pattern).every(([key, sub]) => matchesPattern((event as Record<string, unknown>)[key], sub));
}

function matchesRule(value: unknown, rule: unknown): boolean {
  if (typeof rule !== 'object' || rule === null) return value === rule;
  const r = rule as Record<string, unknown>;
  // Exists only applies to leaf nodes: an object there counts as absent, as on AWS (validated
  // against AWS in LocalStack's DynamoDB filter tests).
  if ('exists' in r) return (value !== undefined && (typeof value !== 'object' || value === null)) === r.exists;
  if ('prefix' in r) return typeof value === 'string' && value.startsWith(String(r.prefix));
  if ('anything-but' in r) {
    const excluded = Array.isArray(r['anything-but']) ? r['anything-but'] : [r['anything-but']];
    return value !== undefined && !excluded.includes(value);
  }
  if ('numeric' in r) {
    // Numeric matching applies to JSON numbers only, never to a string that reads as one: in a
    // DynamoDB stream record every N value is a string, so on AWS a numeric rule on it matches
    // nothing (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html;
    // aws/serverless-application-model#3123).
    const n = value;
    if (typeof n !== 'number' || Number.isNaN(n)) return false;
    const ops = r.numeric as Array<string | number>;
    for (let i = 0; i < ops.length; i += 2) {
      const [op, bound] = [ops[i], Number(ops[i + 1])];
      const ok = op === '>' ? n > bound : op === '>=' ? n >= bound : op === '<' ? n < bound : op === '<=' ? n <= bound : op === '=' ? n === bound : false;
      if (!ok) return false;
    }
    return true;
  }
  return matchesPattern(value, rule);
}
