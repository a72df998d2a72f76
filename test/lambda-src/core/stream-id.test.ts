/**
 * What the writer says about a type or stream id it refuses: the actual problem (a control
 * character, its code and position; a length; broken Unicode), not one sentence for all.
 */
import * as fc from 'fast-check';
import { idTextProblem, isIdText } from '../../../lambda-src/core/stream-id';
import { runs } from '../../support/arbitraries';

const printable = fc.string({ unit: 'grapheme', minLength: 0, maxLength: 20 }).filter((s) => isIdText(s, 256) || s === '');

describe('idTextProblem', () => {
  test('a control character anywhere is named by its code point and its position in characters', () => {
    fc.assert(fc.property(printable, printable, fc.integer({ min: 0, max: 0x1f }).chain((c) => fc.constantFrom(c, 0x7f)), (before, after, code) => {
      const id = `${before}${String.fromCharCode(code)}${after}`;
      const problem = idTextProblem(id, 256);
      expect(problem).toBe(`must be printable: it holds the control character U+${code.toString(16).toUpperCase().padStart(4, '0')} at position ${[...before].length + 1}`);
      expect(isIdText(id, 256)).toBe(false);
    }), runs(300));
  });

  test('{"type":"a\\nb"}: the newline, not the length, is the problem', () => {
    expect(idTextProblem('a\nb', 256)).toBe('must be printable: it holds the control character U+000A at position 2');
  });

  test('the other problems, each in its own words', () => {
    expect(idTextProblem('', 256)).toBe('must not be empty');
    expect(idTextProblem(7, 256)).toBe('must be a string, got a number');
    expect(idTextProblem(null, 256)).toBe('must be a string, got null');
    expect(idTextProblem(['a'], 256)).toBe('must be a string, got an array');
    expect(idTextProblem('😀'.repeat(257), 256)).toBe('must be at most 256 characters, got 257');
    expect(idTextProblem('😀'.repeat(256), 256)).toBeUndefined();
    expect(idTextProblem('a\ud800', 256)).toBe('must be valid Unicode: it holds an unpaired surrogate');
  });

  test('a problem is named exactly when the id is refused', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.anything()), (value) => {
      expect(idTextProblem(value, 256) === undefined).toBe(isIdText(value, 256));
    }), runs(500));
  });
});
