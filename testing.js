// The projection test kit: import { projectionSpec } from 'cdk-event-sourced-api/testing' (see lib/testing).
'use strict';
module.exports = require('./lib/testing');
