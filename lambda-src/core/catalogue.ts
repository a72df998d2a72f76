import { createHash } from 'node:crypto';
import { CATALOGUE } from '../../src/contract';

/** The catalogue shard of a stream: stable, and spread evenly over CATALOGUE.shards. */
export function catalogueShard(streamId: string): number {
  return createHash('sha256').update(streamId).digest().readUInt32BE(0) % CATALOGUE.shards;
}
