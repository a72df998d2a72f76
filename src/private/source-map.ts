/**
 * Trims a source map (v3) to the sources worth mapping: a stack frame in code whose source is
 * dropped reads as unmapped (the minified position) instead of costing bytes in every bundle.
 * https://sourcemaps.info/spec.html describes `mappings`: lines split by `;`, segments by `,`,
 * each a run of base64 VLQ numbers relative to the segment before (the column to the line's).
 */
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** One segment with absolute values: [column] or [column, source, line, sourceColumn, name?]. */
export type Segment = number[];

export function decodeMappings(mappings: string): Segment[][] {
  const state = [0, 0, 0, 0, 0];
  return mappings.split(';').map((line) => {
    state[0] = 0;
    return line === '' ? [] : line.split(',').map((text) => decodeVlq(text).map((delta, i) => (state[i] += delta)));
  });
}

export function encodeMappings(lines: Segment[][]): string {
  const state = [0, 0, 0, 0, 0];
  return lines.map((segments) => {
    state[0] = 0;
    return segments.map((segment) => segment.map((value, i) => {
      const delta = value - state[i];
      state[i] = value;
      return encodeVlq(delta);
    }).join('')).join(',');
  }).join(';');
}

/**
 * The map without the sources `drop` picks: their segments become unmapped (a column alone, one
 * per run), and `sources`, `sourcesContent` and `names` keep only what the rest uses.
 */
export function dropSources(mapText: string, drop: (source: string) => boolean): string {
  const map = JSON.parse(mapText) as { sources: string[]; sourcesContent?: (string | null)[]; names: string[]; mappings: string };
  const sourceIndex = new Map<number, number>();
  const sources: string[] = [];
  map.sources.forEach((source, i) => {
    if (drop(source)) return;
    sourceIndex.set(i, sources.length);
    sources.push(source);
  });
  const nameIndex = new Map<number, number>();
  const names: string[] = [];
  const lines = decodeMappings(map.mappings).map((segments) => {
    const kept: Segment[] = [];
    for (const segment of segments) {
      const source = segment.length > 1 ? sourceIndex.get(segment[1]) : undefined;
      if (source === undefined) {
        // Unmapped: one column-only segment ends the mapping before it; more would add nothing.
        if (kept.length === 0 || kept[kept.length - 1].length > 1) kept.push([segment[0]]);
        continue;
      }
      const next = [segment[0], source, segment[2], segment[3]];
      if (segment.length === 5) {
        if (!nameIndex.has(segment[4])) {
          nameIndex.set(segment[4], names.length);
          names.push(map.names[segment[4]]);
        }
        next.push(nameIndex.get(segment[4])!);
      }
      kept.push(next);
    }
    // A line that starts unmapped needs no segment at all.
    return kept.length === 1 && kept[0].length === 1 && kept[0][0] === 0 ? [] : kept;
  });
  const sourcesContent = map.sourcesContent && map.sources.map((_, i) => i).filter((i) => sourceIndex.has(i)).map((i) => map.sourcesContent![i]);
  return JSON.stringify({ ...map, sources, ...(sourcesContent ? { sourcesContent } : {}), names, mappings: encodeMappings(lines) });
}

function decodeVlq(text: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of text) {
    const digit = BASE64.indexOf(char);
    if (digit < 0) throw new Error(`source map: "${char}" is not a base64 digit`);
    value += (digit % 32) * 2 ** shift;
    if (digit >= 32) {
      shift += 5;
    } else {
      values.push(value % 2 === 1 ? -(value - 1) / 2 : value / 2);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

function encodeVlq(n: number): string {
  let value = n < 0 ? -n * 2 + 1 : n * 2;
  let text = '';
  do {
    let digit = value % 32;
    value = Math.floor(value / 32);
    if (value > 0) digit += 32; // more digits follow
    text += BASE64[digit];
  } while (value > 0);
  return text;
}
