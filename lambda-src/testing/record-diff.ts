import { canonicalJson, sortKeys } from '../core/user-data';

/** Pretty JSON with sorted keys, so a diff shows what differs and not the order fields were set in. */
export function prettyJson(value: unknown): string {
  return value === undefined ? '(no record)' : JSON.stringify(sortKeys(value), null, 2);
}

/**
 * A line diff of two values' pretty JSON: `- ` lines are expected only, `+ ` lines actual only,
 * by the longest common subsequence of lines (records are small; this is quadratic in lines).
 */
export function recordDiff(expected: unknown, actual: unknown): string {
  const a = prettyJson(expected).split('\n');
  const b = prettyJson(actual).split('\n');
  const common: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i][j] = a[i] === b[j] ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
    }
  }
  const lines: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push(`  ${a[i++]}`);
      j++;
    } else if (i < a.length && (j === b.length || common[i + 1][j] >= common[i][j + 1])) {
      lines.push(`- ${a[i++]}`);
    } else {
      lines.push(`+ ${b[j++]}`);
    }
  }
  return ['- expected', '+ actual', ...lines].join('\n');
}

/** JSON equality: same keys (in any order), same values; `undefined` fields count as absent, as in JSON. */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
