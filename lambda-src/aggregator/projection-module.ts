import type { ProjectionHandlers as TypedHandlers } from '../../src/authoring/projection';

export type { ProjectionEvent, ProjectionHandler } from '../../src/authoring/projection';

/** A view record's projected object: any JSON object. */
export type ViewState = Record<string, unknown>;

/** The handlers of a projection, by event type (untyped records, as the runtime sees them). */
export type ProjectionHandlers = TypedHandlers<ViewState>;

/**
 * Finds the handlers map in a projection entry module. Accepted shapes:
 * `export const handlers = {...}`, `export default { handlers: {...} }` or `export default {...}`.
 */
export function loadHandlers(mod: unknown): ProjectionHandlers {
  const m = mod as { handlers?: unknown; default?: { handlers?: unknown } };
  const candidate = m?.handlers ?? m?.default?.handlers ?? m?.default;
  if (typeof candidate !== 'object' || candidate === null) {
    throw new Error('Projection entry must export `handlers`: an object mapping event types to (view, event) => newView functions');
  }
  for (const [type, fn] of Object.entries(candidate)) {
    if (typeof fn !== 'function') throw new Error(`Projection handler for event type "${type}" is not a function`);
  }
  return candidate as ProjectionHandlers;
}
