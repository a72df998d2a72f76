// Type-only entry point: import type { ProjectionHandlers, ProjectionEvent } from 'cdk-event-sourced-api/projection'.
export * from './lib/authoring/projection';
