// The types of 'cdk-event-sourced-api/projection' have no runtime value; see projection.d.ts.
'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
