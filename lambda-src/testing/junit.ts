import type { SpecFileResult } from './spec-run';

/** JUnit XML (the format CI servers read): a test suite per spec file, a test case per case. */
export function junitXml(results: readonly SpecFileResult[]): string {
  const failures = (r: SpecFileResult) => r.cases.filter((c) => !c.passed).length;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const total = results.reduce((n, r) => n + r.cases.length, 0);
  const failed = results.reduce((n, r) => n + failures(r), 0);
  lines.push(`<testsuites name="projection specs" tests="${total}" failures="${failed}">`);
  for (const result of results) {
    const time = result.cases.reduce((ms, c) => ms + c.durationMs, 0);
    lines.push(`  <testsuite name="${attr(result.file)}" tests="${result.cases.length}" failures="${failures(result)}" time="${seconds(time)}">`);
    for (const c of result.cases) {
      const open = `    <testcase classname="${attr(result.file)}" name="${attr(c.name)}" time="${seconds(c.durationMs)}"`;
      if (c.passed) {
        lines.push(`${open}/>`);
      } else {
        const message = c.message ?? 'failed';
        lines.push(`${open}>`, `      <failure message="${attr(message.split(/\r?\n|\r/)[0])}">${xml(message)}</failure>`, '    </testcase>');
      }
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

/**
 * Text escaping; characters XML 1.0 cannot hold at all become U+FFFD. A carriage return is a
 * reference: a parser reads a raw one as a newline (https://www.w3.org/TR/xml/#sec-line-ends).
 */
function xml(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\r/g, '&#13;');
}

/** Attribute escaping: a parser reads a raw tab or newline in an attribute as a space (https://www.w3.org/TR/xml/#AVNormalize). */
function attr(text: string): string {
  return xml(text).replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}
