import { SourceMap } from 'node:module';
import * as path from 'node:path';
import * as fc from 'fast-check';
import { bundleProjection } from '../../src/private/bundle-projection';
import { decodeMappings, dropSources, encodeMappings, Segment } from '../../src/private/source-map';
import { runs } from '../support/arbitraries';
import { FIXTURES } from '../support/synth';

/** Where a generated position points: the original (and name) of the segment at or before it on its line. */
function lookup(map: { sources: string[]; names: string[] }, lines: Segment[][], line: number, column: number): string | undefined {
  const segment = [...(lines[line] ?? [])].reverse().find((s) => s[0] <= column);
  return segment && segment.length > 1 ? `${map.sources[segment[1]]}:${segment[2]}:${segment[3]}:${map.names[segment[4]] ?? ''}` : undefined;
}

/** 0-based line and column of the first occurrence of `text`. */
function positionOf(code: string, text: string): { line: number; column: number } {
  const at = code.indexOf(text);
  expect(at).toBeGreaterThan(-1);
  const before = code.slice(0, at).split('\n');
  return { line: before.length - 1, column: before[before.length - 1].length };
}

describe('a bundled projection has a source map of the user\'s files', () => {
  const bundle = bundleProjection('throws', path.join(FIXTURES, 'throws.ts'));
  const code = bundle.files['index.js'];
  const map = JSON.parse(bundle.files['index.js.map']);

  test('index.js links index.js.map, which has no sourcesContent and names the entry relative to synth\'s folder', () => {
    expect(code.trimEnd().endsWith('//# sourceMappingURL=index.js.map')).toBe(true);
    expect(map.sources).toEqual([path.relative(process.cwd(), path.join(FIXTURES, 'throws.ts'))]);
    expect(map.sourcesContent).toBeUndefined();
  });

  test('a throw in the handler maps to its line in the entry; the runtime\'s code maps to nothing', () => {
    const sourceMap = new SourceMap(map);
    const thrown = positionOf(code, 'thrown-on-line-6');
    const entry = sourceMap.findEntry(thrown.line, thrown.column) as { originalSource?: string; originalLine?: number };
    expect(entry.originalSource).toMatch(/throws\.ts$/);
    expect(entry.originalLine).toBe(5); // 0-based
    const runtime = positionOf(code, 'batchItemFailures');
    expect((sourceMap.findEntry(runtime.line, runtime.column) as { originalSource?: string }).originalSource).toBeUndefined();
  });

  test('the map is a small fraction of the code', () => {
    expect(bundle.files['index.js.map'].length).toBeLessThan(code.length / 10);
  });
});

describe('dropSources', () => {
  // Absolute segments, columns rising within a line, as a bundler writes them.
  const sourceCount = 4;
  const nameCount = 3;
  const segment = fc.oneof(
    fc.tuple(fc.nat(50)),
    fc.tuple(fc.nat(50), fc.nat(sourceCount - 1), fc.nat(200), fc.nat(80)),
    fc.tuple(fc.nat(50), fc.nat(sourceCount - 1), fc.nat(200), fc.nat(80), fc.nat(nameCount - 1)),
  ).map((s) => [...s]);
  const line = fc.array(segment, { maxLength: 8 }).map((segments) => {
    let column = 0;
    return segments.map(([step, ...rest]) => [(column += step + 1), ...rest]);
  });
  // At least one line: an empty `mappings` is one line without segments.
  const lines = fc.array(line, { minLength: 1, maxLength: 6 });

  test('mappings survive decoding and encoding', () => {
    fc.assert(fc.property(lines, (l) => {
      expect(decodeMappings(encodeMappings(l))).toEqual(l);
    }), runs(300));
  });

  test('every position maps as before when its source is kept, and to nothing when it is dropped', () => {
    fc.assert(fc.property(lines, fc.subarray([0, 1, 2, 3]), (l, dropped) => {
      const sources = ['a.ts', 'b.ts', 'c.ts', 'd.ts'];
      const before = { version: 3, sources, names: ['x', 'y', 'z'], mappings: encodeMappings(l) };
      const after = JSON.parse(dropSources(JSON.stringify(before), (s) => dropped.includes(sources.indexOf(s))));
      const afterLines = decodeMappings(after.mappings);
      expect(after.sources).toEqual(sources.filter((_, i) => !dropped.includes(i)));
      l.forEach((segments, i) => {
        // Every column where a mapping may start or end.
        for (const column of [0, ...segments.flatMap((s) => [s[0] - 1, s[0], s[0] + 1])]) {
          const was = lookup(before, l, i, column);
          const expected = was && !dropped.some((d) => was.startsWith(`${sources[d]}:`)) ? was : undefined;
          expect(lookup(after, afterLines, i, column)).toBe(expected);
        }
      });
    }), runs(100));
  });
});
