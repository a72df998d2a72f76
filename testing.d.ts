// The projection test kit: import { projectionSpec } from 'cdk-event-sourced-api/testing'.
export * from './lib/testing';
