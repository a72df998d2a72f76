/**
 * The end-to-end suite under chaos mode: duplicated, reordered and early-redelivered messages,
 * parallel pollers, varied batches, throttled SNS and DynamoDB, functions that crash after their
 * work. Views must end exactly as without it, and nothing may be lost. The seed is printed;
 * CHAOS_SEED=<seed> replays it.
 */
import { defineEndToEndSuite } from './e2e-suite';
import { removeTempDirs } from '../../../test/support/local-app';

afterAll(() => removeTempDirs());

defineEndToEndSuite({ chaos: true });
