import type { ProjectionHandlers as TypedHandlers } from '../../src/authoring/projection';
import { kindOf } from '../core/describe-value';
import { ENTRY_SHAPE_ERROR } from '../core/upcast';

export type { ProjectionEvent, ProjectionHandler } from '../../src/authoring/projection';

/** A view record's projected object: any JSON object. */
export type ViewState = Record<string, unknown>;

/** The handlers of a projection, by event type (untyped records, as the runtime sees them). */
export type ProjectionHandlers = TypedHandlers<ViewState>;

/** `code` of the error `loadHandlers` throws, so synth can tell a bad shape from code that failed to load. */
export const PROJECTION_SHAPE_ERROR = ENTRY_SHAPE_ERROR;

const EXPECTED = 'it must export `handlers`: an object mapping event types to (view, event) => newView functions';

/**
 * Finds the handlers map in a projection entry module. Accepted shapes, first match wins:
 * `export const handlers = {...}` (or `exports.handlers`), `export default { handlers: {...} }`,
 * `export default {...}`, and a CommonJS module whose exports are all functions
 * (`module.exports = { EventType: fn }`), unless one of them looks like a misspelt `handlers`.
 * Anything else throws an error saying what the module exports; synth runs this same function
 * on the bundled projection (src/private/check-projection.ts), so a bad shape never deploys.
 */
export function loadHandlers(mod: unknown): ProjectionHandlers {
  const m = mod as { handlers?: unknown; default?: { handlers?: unknown } } | undefined;
  let candidate: unknown;
  let what: string;
  if (m?.handlers !== undefined) [candidate, what] = [m.handlers, '`handlers`'];
  else if (m?.default?.handlers !== undefined) [candidate, what] = [m.default.handlers, '`default.handlers`'];
  else if (m?.default !== undefined) [candidate, what] = [m.default, 'a default export'];
  else if (isFlatCommonJs(m)) [candidate, what] = [m, 'module.exports'];
  else throw shapeError(`${describeExports(mod)}; ${EXPECTED}`);

  if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) {
    throw shapeError(`exports ${what} that is ${kindOf(candidate)}, not an object; ${EXPECTED}`);
  }
  for (const [type, fn] of Object.entries(candidate)) {
    if (typeof fn !== 'function') {
      const hint = looksLikeHandlers(type) ? ' (did you mean `handlers`?)' : '';
      throw shapeError(`handler for event type "${type}" is not a function (it is ${kindOf(fn)})${hint}`);
    }
  }
  return candidate as ProjectionHandlers;
}

/** `module.exports = { Type: fn, ... }`: a CommonJS object (no ES module marker) of functions only. */
function isFlatCommonJs(m: unknown): m is Record<string, unknown> {
  if (typeof m !== 'object' || m === null || (m as { __esModule?: unknown }).__esModule) return false;
  const entries = Object.entries(m);
  return entries.length > 0 && entries.every(([key, value]) => typeof value === 'function' && !looksLikeHandlers(key));
}

/**
 * `handler`, `Handlers`, `handles`, `hanlders`: a key that was probably meant to be `handlers` (one
 * edit, or its letters swapped, whatever the case), not an event type such as `Handled`.
 */
function looksLikeHandlers(key: string): boolean {
  const k = key.toLowerCase();
  const letters = (s: string) => [...s].sort().join('');
  return key !== 'handlers' && (editDistance(k, 'handlers') <= 1 || letters(k) === letters('handlers'));
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

function describeExports(mod: unknown): string {
  if (typeof mod !== 'object' || mod === null) return `exports ${kindOf(mod)}`;
  const keys = Object.keys(mod).filter((k) => k !== '__esModule');
  if (keys.length === 0) return 'exports nothing';
  const typo = keys.find(looksLikeHandlers);
  if (typo) return `exports \`${typo}\` (did you mean \`handlers\`?)`;
  const shown = keys.slice(0, 5).map((k) => `\`${k}\``).join(', ') + (keys.length > 5 ? `, and ${keys.length - 5} more` : '');
  return `exports ${shown} but no \`handlers\``;
}


function shapeError(finding: string): Error {
  return Object.assign(new Error(`Projection entry ${finding}`), { code: PROJECTION_SHAPE_ERROR, finding });
}
