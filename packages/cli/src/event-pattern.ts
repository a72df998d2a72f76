/**
 * Matches events against EventBridge-style patterns as Lambda event filtering does
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html): the semantics of
 * AWS's event-ruler, against which packages/cli/test/event-pattern.oracle.property.test.ts holds it.
 *
 * The event is read as event-ruler reads it: its leaf values (strings, numbers, booleans, null)
 * under dot-joined paths, an array standing for each of its elements. A pattern's fields are taken
 * in sorted order; each must match a leaf at its path, and the leaves chosen must never lie in
 * different elements of one array (event-ruler's array consistency). `exists: false` holds where no
 * leaf at the path agrees with the elements chosen so far, so it holds under a missing parent,
 * under one that is not an object, and where the path leads only to an object or an empty array.
 */
import { compilePattern, InvalidPatternError, Scalar, SubRule, ValueMatcher } from './event-pattern-compiler';

export { InvalidPatternError };

/** A leaf value of an event, with the element of each array it lies in (array id to index). */
interface Leaf {
  readonly value: Scalar;
  readonly elements: ReadonlyMap<number, number>;
}

/** A pattern, checked and compiled once: construct it where AWS would refuse a bad one (at deploy). */
export class EventPattern {
  private readonly rules: Array<Array<[string, ValueMatcher[]]>>;

  /** Throws InvalidPatternError, with event-ruler's reason, for a pattern AWS refuses. */
  /** The steps of the pattern's field names, split as event-ruler records them. */
  private readonly steps: Set<string>;

  constructor(pattern: unknown) {
    const rules = compilePattern(pattern);
    this.rules = rules.map(sortedFields);
    this.steps = new Set(rules.flatMap((rule) => [...rule.keys()].flatMap(javaSplitOnDots)));
  }

  public matches(event: unknown): boolean {
    const leaves = leavesOf(event, (step) => this.stepUsed(step));
    return this.rules.some((fields) => matchFrom(fields, 0, leaves, new Map()));
  }

  /**
   * event-ruler reads only the event's fields whose name (or, for a name with dots, each part of
   * it) is a step of some field of the pattern (GenericMachine.isFieldStepUsed): the rest is as
   * absent. It matters where a name is empty.
   */
  private stepUsed(step: string): boolean {
    return this.steps.has(step) || (step.includes('.') && javaSplitOnDots(step).every((part) => this.steps.has(part)));
  }
}

/** Java's String.split("\\."): trailing empty parts dropped ("a." is ["a"], "" is [""]). */
function javaSplitOnDots(name: string): string[] {
  if (!name.includes('.')) return [name];
  const parts = name.split('.');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Whether the event matches the pattern; throws InvalidPatternError for a pattern AWS refuses. */
export function matchesPattern(event: unknown, pattern: unknown): boolean {
  return new EventPattern(pattern).matches(event);
}

/** event-ruler walks a rule's fields in the order of their names (Java's String order, UTF-16 units). */
function sortedFields(rule: SubRule): Array<[string, ValueMatcher[]]> {
  return [...rule.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function matchFrom(
  fields: Array<[string, ValueMatcher[]]>, i: number, leaves: Map<string, Leaf[]>, elements: ReadonlyMap<number, number>,
): boolean {
  if (i === fields.length) return true;
  const [path, matchers] = fields[i];
  const candidates = (leaves.get(path) ?? []).filter((leaf) => consistent(elements, leaf.elements));
  if (candidates.length === 0 && matchers.some((m) => m.absent) && matchFrom(fields, i + 1, leaves, elements)) return true;
  return candidates.some((leaf) => matchers.some((m) => !m.absent && m.test(leaf.value))
    && matchFrom(fields, i + 1, leaves, merged(elements, leaf.elements)));
}

/** No array in which the two lie in different elements. */
function consistent(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): boolean {
  for (const [array, index] of a) {
    const other = b.get(array);
    if (other !== undefined && other !== index) return false;
  }
  return true;
}

function merged(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): ReadonlyMap<number, number> {
  if (b.size === 0) return a;
  return new Map([...a, ...b]);
}

const isContainer = (value: unknown): value is object => typeof value === 'object' && value !== null && !(value instanceof Uint8Array);

/**
 * The event's leaves by dot-joined path. A leaf lies in the element of an array only through an
 * object or array in it: a scalar directly in an array is consistent with every element of that
 * array, as in event-ruler (Event.traverseArray).
 */
function leavesOf(event: unknown, stepUsed: (step: string) => boolean): Map<string, Leaf[]> {
  const leaves = new Map<string, Leaf[]>();
  let arrays = 0;
  const visit = (value: unknown, path: string | undefined, elements: ReadonlyMap<number, number>): void => {
    if (value === undefined) return;
    if (value instanceof Uint8Array) {
      // A binary attribute reaches Lambda's filter (and the function) as a base64 string.
      return visit(Buffer.from(value).toString('base64'), path, elements);
    }
    if (Array.isArray(value)) {
      const array = arrays++;
      value.forEach((element, index) => visit(element, path, isContainer(element) ? new Map(elements).set(array, index) : elements));
    } else if (isContainer(value)) {
      for (const [key, child] of Object.entries(value)) {
        if (stepUsed(key)) visit(child, path === undefined ? key : `${path}.${key}`, elements);
      }
    } else if (path !== undefined) {
      const list = leaves.get(path) ?? [];
      list.push({ value: value as Scalar, elements });
      leaves.set(path, list);
    }
  };
  visit(event, undefined, new Map());
  return leaves;
}
