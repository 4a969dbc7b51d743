/** test/unit/p2p/lazy-log.test.ts - p2p/lazy-log.ts: ids come out once, in storing order, only when old enough; the count bound drops the oldest; compaction keeps order across many ids. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LazyLog } from '../../../src/p2p/lazy-log.ts';

describe('LazyLog', () => {
  it('hands out, once and in order, exactly the ids stored at or before the cutoff', () => {
    const log = new LazyLog(10);
    log.add('a', 100);
    log.add('b', 200);
    log.add('c', 300);
    assert.deepEqual(log.takeMature(99), [], 'expected nothing stored by 99');
    assert.deepEqual(log.takeMature(200), ['a', 'b'], 'expected the ids stored at or before 200');
    assert.deepEqual(log.takeMature(200), [], 'expected each id handed out once');
    assert.equal(log.size, 1);
    assert.deepEqual(log.takeMature(1000), ['c']);
    assert.equal(log.size, 0);
  });

  it('keeps at most `max` ids, dropping the oldest', () => {
    const log = new LazyLog(3);
    for (const [i, id] of ['a', 'b', 'c', 'd', 'e'].entries()) log.add(id, i);
    assert.equal(log.size, 3, 'expected the count bound');
    assert.deepEqual(log.takeMature(100), ['c', 'd', 'e'], 'expected the two oldest dropped');
  });

  it('stays in order across compactions (many ids taken a few at a time)', () => {
    const log = new LazyLog(100_000);
    const out: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      log.add(`v${i}`, i);
      if (i % 7 === 0) out.push(...log.takeMature(i - 3));
    }
    out.push(...log.takeMature(Infinity));
    assert.equal(out.length, 20_000, 'expected every id once');
    assert.equal(out.every((v, i) => v === `v${i}`), true, 'expected storing order');
  });
});
