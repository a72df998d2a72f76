/**
 * Entry of the prebuilt aggregator runtime asset. At synth time the construct bundles a user's
 * projection entry with this module: `exports.handler = createHandler(require(entry))`.
 */
export { createHandler, processBatch } from './runtime';
export { loadUpcasting } from '../core/upcast';
export type { ProjectionEvent, ProjectionHandler, ProjectionHandlers, ViewState } from './projection-module';
