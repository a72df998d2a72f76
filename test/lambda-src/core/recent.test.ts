import fc from 'fast-check';
import { Recent } from '../../../lambda-src/core/recent';
import { runs } from '../../support/arbitraries';

/** The same bounds kept by a plain list, least recently written first. */
function model(ops: Array<{ key: string; weight: number } | { delete: string }>, maxEntries: number, maxWeight: number): Map<string, number> {
  let list: Array<[string, number]> = [];
  for (const op of ops) {
    const key = 'delete' in op ? op.delete : op.key;
    list = list.filter(([k]) => k !== key);
    if ('delete' in op || op.weight > maxWeight) continue;
    list.push([key, op.weight]);
    while (list.length > maxEntries || list.reduce((n, [, w]) => n + w, 0) > maxWeight) list.shift();
  }
  return new Map(list);
}

test('keeps the most recently written entries within both bounds, as a plain list would', () => {
  const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
  const op = fc.oneof(fc.record({ key, weight: fc.integer({ min: 0, max: 40 }) }), fc.record({ delete: key }));
  const bounds = [fc.integer({ min: 1, max: 5 }), fc.integer({ min: 10, max: 100 })] as const;
  fc.assert(fc.property(fc.array(op, { maxLength: 60 }), ...bounds, (ops, maxEntries, maxWeight) => {
    const recent = new Recent<number>(maxEntries, maxWeight);
    for (const o of ops) {
      if ('delete' in o) recent.delete(o.delete);
      else recent.set(o.key, o.weight, o.weight);
    }
    const expected = model(ops, maxEntries, maxWeight);
    for (const k of ['a', 'b', 'c', 'd', 'e', 'f']) expect(recent.get(k)).toBe(expected.get(k));
  }), runs(300));
});
