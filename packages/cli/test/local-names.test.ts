import * as fc from 'fast-check';
import { runs } from '../../../test/support/arbitraries';
import { localQueueName, localTableName, localTopicName } from '../src/local-names';

/** Logical ids as the local runtime sees them: alphanumeric, joined by dashes when nested (CDK's can be 255 long each). */
const flattenedId = fc.array(fc.stringMatching(/^[A-Za-z0-9]{1,255}$/), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('-'));

describe('local names', () => {
  test('a name that fits is the id itself, as before nested stacks', () => {
    expect(localTableName('local-abc123-EventsTable1A2B3C4D')).toBe('local-abc123-EventsTable1A2B3C4D');
    expect(localQueueName('ViewQueue1A2B3C4D', true)).toBe('ViewQueue1A2B3C4D.fifo');
    expect(localQueueName('ViewQueue1A2B3C4D', false)).toBe('ViewQueue1A2B3C4D');
    expect(localTopicName('Topic1A2B3C4D', true)).toBe('Topic1A2B3C4D.fifo');
  });

  test('a name too long keeps its start and its end around a hash of the whole: exactly at the limit', () => {
    const id = 'ApiViewsoneNestedStackViewsoneNestedStackResource65718BB2-ProjectionaQueueE1F2A3B4';
    const name = localQueueName(id, true);
    expect(name).toHaveLength(80);
    expect(name).toMatch(/^ApiViewsoneNestedStackViewsone-[0-9a-f]{12}-718BB2-ProjectionaQueueE1F2A3B4\.fifo$/);
    expect(localQueueName(id, true)).toBe(name); // the same on every run
    expect(localQueueName(id, false)).toHaveLength(80);
  });

  test('every id gives valid names (DynamoDB, SQS and SNS limits), and distinct ids distinct names', () => {
    fc.assert(fc.property(fc.uniqueArray(flattenedId, { minLength: 2, maxLength: 6 }), fc.boolean(), (ids, fifo) => {
      const tables = ids.map((id) => localTableName(`local-0a1b2c-${id}`));
      const queues = ids.map((id) => localQueueName(id, fifo));
      const topics = ids.map((id) => localTopicName(id, fifo));
      for (const table of tables) expect(table).toMatch(/^[A-Za-z0-9_.-]{3,255}$/);
      for (const queue of queues) expect(queue).toMatch(fifo ? /^[A-Za-z0-9_-]{1,75}\.fifo$/ : /^[A-Za-z0-9_-]{1,80}$/);
      for (const topic of topics) expect(topic).toMatch(fifo ? /^[A-Za-z0-9_-]{1,251}\.fifo$/ : /^[A-Za-z0-9_-]{1,256}$/);
      for (const names of [tables, queues, topics]) expect(new Set(names).size).toBe(ids.length);
    }), runs(500));
  });

  test('ids that share a long start and a long end still get distinct names', () => {
    const [start, end] = ['A'.repeat(100), 'Z'.repeat(100)];
    expect(localQueueName(`${start}-B-${end}`, true)).not.toBe(localQueueName(`${start}-C-${end}`, true));
    expect(localTableName(`${'T'.repeat(300)}1`)).not.toBe(localTableName(`${'T'.repeat(300)}2`));
  });
});
