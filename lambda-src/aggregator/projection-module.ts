import type { StoredEvent } from '../core/stored-event';

/** The event a projection handler receives. */
export type ProjectionEvent = StoredEvent;

/** A view record's projected object: any JSON object. */
export type ViewState = Record<string, unknown>;

/**
 * Given the current view (undefined when there is none) and an event, returns the new view,
 * or undefined to delete it. May be async. Throwing marks the event as failed.
 */
export type ProjectionHandler = (view: ViewState | undefined, event: ProjectionEvent) => ViewState | undefined | Promise<ViewState | undefined>;

/** The handlers of a projection, by event type. */
export type ProjectionHandlers = Record<string, ProjectionHandler>;

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
