import { escapePointer, type DataProblem } from './user-data';

/**
 * What JSON.parse drops without a word, found in the text it has already accepted: a key that
 * appears twice in one object (JSON.parse keeps the last value), and a number whose decimal value
 * a JavaScript number cannot hold (`0.12345678901234567890123` becomes `0.12345678901234568`).
 * Node 20's JSON.parse gives no access to the source text, so this scans it once, iteratively
 * (any depth JSON.parse accepts), and names the first problem by JSON Pointer.
 *
 * Only for text JSON.parse accepted: invalid JSON is not diagnosed here.
 */
export function findJsonTextProblem(text: string): DataProblem | undefined {
  const open: Container[] = [];
  let expectKey = false;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = endOfString(text, i);
      const top = open[open.length - 1];
      if (expectKey && top?.keys) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? JSON.parse(text.slice(i, end + 1)) as string : raw;
        top.member = key;
        if (top.keys.has(key)) {
          return { path: pointerOf(open), reason: 'appears more than once in one object; JSON parsing keeps only the last one, so send each key once' };
        }
        top.keys.add(key);
        expectKey = false;
      }
      i = end + 1;
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      NUMBER.lastIndex = i;
      const token = NUMBER.exec(text)![0];
      if (!isExactNumber(token)) {
        const shown = token.length > 40 ? `${token.slice(0, 40)}...` : token;
        return {
          path: pointerOf(open),
          reason: `is the number ${shown}, which cannot be stored exactly (a JavaScript number holds ${Number(token)}); send it as a string`,
        };
      }
      i += token.length;
    } else {
      if (c === OPEN_OBJECT) {
        open.push({ keys: new Set(), member: '', index: 0 });
        expectKey = true;
      } else if (c === OPEN_ARRAY) {
        open.push({ index: 0 });
      } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        open.pop();
        expectKey = false;
      } else if (c === COMMA) {
        const top = open[open.length - 1];
        if (top.keys) expectKey = true;
        else top.index++;
      }
      // Whitespace, ":", and the letters of true, false and null need nothing.
      i++;
    }
  }
  return undefined;
}

/**
 * Whether a JSON number token means exactly the value a JavaScript number holds for it, which is
 * what the store keeps and answers. Compared as decimals, not as text: `1.0`, `1e0` and `10E-1`
 * are all exactly 1; `-0` counts as `0`, as JSON writes it.
 */
export function isExactNumber(token: string): boolean {
  const value = Number(token);
  if (!Number.isFinite(value)) return false;
  // Quick for what JSON.stringify writes: the shortest spelling of the value.
  return String(value) === token || decimalOf(token) === decimalOf(String(value));
}

/** An open array or object, and where in it the scan is. */
interface Container {
  /** The keys seen so far; absent for an array. */
  readonly keys?: Set<string>;
  /** An object's current member. */
  member?: string;
  /** An array's current element. */
  index: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

function pointerOf(open: readonly Container[]): string {
  return open.map((container) => `/${container.keys ? escapePointer(container.member!) : container.index}`).join('');
}

/** The index of the quote that closes the string opening at `start`. */
function endOfString(text: string, start: number): number {
  let end = text.indexOf('"', start + 1);
  for (;;) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
}

/** A decimal in one spelling: sign, significant digits without leading or trailing zeros, exponent. */
function decimalOf(numberText: string): string {
  const [, sign, whole, fraction = '', exponent = '0'] = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(numberText)!;
  const digits = whole + fraction;
  const significant = digits.replace(/^0+/, '');
  const trimmed = significant.replace(/0+$/, '');
  if (trimmed === '') return '0';
  // The value is 0.<significant> x 10^scale.
  const scale = Number(exponent) + whole.length - (digits.length - significant.length);
  return `${sign}0.${trimmed}e${scale}`;
}
