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
  if ('exists' in r) return (value !== undefined) === r.exists;
  if ('prefix' in r) return typeof value === 'string' && value.startsWith(String(r.prefix));
  if ('anything-but' in r) {
    const excluded = Array.isArray(r['anything-but']) ? r['anything-but'] : [r['anything-but']];
    return value !== undefined && !excluded.includes(value);
  }
  if ('numeric' in r) {
    const n = typeof value === 'string' ? Number(value) : value;
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
