export * from './api-authorization';
export * from './event-sourced-api';
export * from './projection';
export * from './rest-api-options';
export * from './function-tuning';
export * from './alarm-options';
export * from './log-level';
export * from './unknown-event-types';
