// test/integration/memory-bounds.test.ts - issue #12 items 4 and 10 on real nodes: a sharded node's cache of out-of-shard reports holds its byte budget under many large valid reports; a node's mempool holds maxMempoolBytes; two halves of a network holding different same-seqNo ads (oracle and capability) converge on one when joined through a middle node.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MegaNode } from '../../src/node.ts';
import { RELAY_CACHE_BYTES } from '../../src/p2p/constants.ts';
import { signingHash } from '../../src/protocol/canonical.ts';
import { reportId, versionHash } from '../../src/protocol/ids.ts';
import type { OracleCapability, OracleId, Report } from '../../src/protocol/types.ts';
import { makeCapability, makeKeys, makeOracle, makeReport, type KeyPair } from '../helpers/factory.ts';
import { connect, createTestNode, stopAll, waitFor } from '../helpers/network.ts';

/**
 * A valid report of about 196 KB (reports are capped by schema string limits; the bulk is an
 * embedded signed capability with three 256-value parameters): `key` makes its id unique.
 */
function bigReport(oracle: KeyPair, cap: KeyPair, key: string, difficulty?: number): Report {
  const params = [0, 1, 2].map((p) => ({ name: `p${p}`, values: Array.from({ length: 256 }, (_, i) => `${p}-${i}-`.padEnd(250, 'v')) }));
  const capability = makeCapability({ oracleKeys: oracle, capKeys: cap, question: 'will it rain in {p0}?', params });
  return makeReport({ type: 'fact-disagrees-with-public', oraclePubKey: oracle.publicKey, capKeys: cap, args: { key }, capability, comment: 'x', ...(difficulty === undefined ? {} : { difficulty }) });
}

/** The relay's out-of-shard cache (private: only its byte count is read here). */
const relayCacheOf = (n: MegaNode): { bytes: number; size: number } => (n.pool.relay as unknown as { relayCache: { bytes: number; size: number } }).relayCache;

describe('memory bounds (issue #12 item 4)', () => {
  const nodes: MegaNode[] = [];
  after(() => stopAll(nodes));

  it('a sharded node keeps at most RELAY_CACHE_BYTES of valid out-of-shard reports, however many arrive', async () => {
    const node = await createTestNode({ shard: { count: 2, index: 0 }, targetOutbound: 0 }, 'sharded');
    nodes.push(node);
    const O = makeKeys(71);
    const C = makeKeys(171);
    assert.equal((await node.service.admit('oracle', makeOracle({ keys: O }), { id: 'test' })).status, 'accepted', 'expected the oracle stored');
    let outOfShard = 0;
    let size = 0;
    for (let i = 0; outOfShard < 100; i++) {
      const r = bigReport(O, C, String(i));
      size = JSON.stringify(r).length;
      if (BigInt(`0x${reportId(r)}`) % 2n === 0n) continue;
      assert.equal((await node.service.admit('report', r, { id: 'test' })).status, 'out-of-shard', 'expected a valid report of the other shard');
      outOfShard++;
    }
    // 100 x ~196 KB = ~19 MB offered; by count alone (10,000) all of it would stay.
    const cache = relayCacheOf(node);
    assert.equal(cache.bytes <= RELAY_CACHE_BYTES, true, `expected the cache within ${RELAY_CACHE_BYTES} bytes, holds ${cache.bytes}`);
    assert.equal(cache.size >= Math.floor(RELAY_CACHE_BYTES / size) - 1, true, `expected the newest reports kept up to the budget, holds ${cache.size}`);
  });

  it('a node\'s mempool holds maxMempoolBytes: a higher-PoW report evicts the lowest, an equal one is refused', async () => {
    const node = await createTestNode({ maxMempoolBytes: 500_000, targetOutbound: 0 }, 'budget');
    nodes.push(node);
    const O = makeKeys(72);
    const C = makeKeys(172);
    await node.service.admit('oracle', makeOracle({ keys: O, difficulty: 6 }), { id: 'test' });
    const low = [1, 2].map((i) => bigReport(O, C, String(i), 1));
    for (const r of low) assert.equal((await node.service.admit('report', r, { id: 'test' })).status, 'accepted', 'expected the first reports to fit');
    const tie = bigReport(O, C, 'tie', 1);
    const refused = await node.service.admit('report', tie, { id: 'test' });
    assert.equal(refused.status === 'rejected' && refused.reason, 'rank-too-low', 'expected an equal-PoW report refused when the budget is full');
    const high = bigReport(O, C, 'high', 4);
    assert.equal((await node.service.admit('report', high, { id: 'test' })).status, 'accepted', 'expected a higher-PoW report admitted by eviction');
    assert.equal(node.mempool.bytes <= 500_000, true, `expected the mempool within 500000 bytes, holds ${node.mempool.bytes}`);
    assert.equal(node.mempool.counts().reports, 2, 'expected one low report evicted for the high one');
    assert.equal(node.mempool.getReport(reportId(high)) !== undefined, true, 'expected the high report stored');
  });
});

describe('same-seqNo forks converge (issue #12 item 10)', () => {
  const nodes: MegaNode[] = [];
  after(() => stopAll(nodes));

  it('two halves holding different same-seqNo oracle and capability ads end with the same one everywhere', async () => {
    const O = makeKeys(81);
    const C = makeKeys(181);
    // The oracle signs two ads with seqNo 1; the first seen half gets one, the other half the other.
    const forkA = makeOracle({ keys: O, seqNo: 1, tags: ['left'], difficulty: 8 });
    const forkB = makeOracle({ keys: O, seqNo: 1, tags: ['right'], difficulty: 2 });
    const capA = makeCapability({ oracleKeys: O, capKeys: C, question: 'Will it rain on the left?', seqNo: 1 });
    const capB = makeCapability({ oracleKeys: O, capKeys: C, question: 'Will it rain on the right?', seqNo: 1 });
    const win = <T extends OracleId | OracleCapability>(a: T, b: T): T => (signingHash(a, 'oracleSignature') > signingHash(b, 'oracleSignature') ? a : b);
    const oracleWinner = versionHash(win(forkA, forkB));
    const capWinner = versionHash(win(capA, capB));
    // A line left - middle - right: the right half reaches the left only through the middle node.
    const left = await createTestNode({ targetOutbound: 0 }, 'left');
    const middle = await createTestNode({ targetOutbound: 0 }, 'middle');
    const right = await createTestNode({ targetOutbound: 0 }, 'right');
    nodes.push(left, middle, right);
    for (const [n, o, c] of [[left, forkA, capA], [right, forkB, capB]] as const) {
      assert.equal((await n.service.admit('oracle', o, { id: 'test' })).status, 'accepted', 'expected the fork stored on its half');
      assert.equal((await n.service.admit('capability', c, { id: 'test' })).status, 'accepted', 'expected the capability fork stored on its half');
    }
    await connect(left, middle);
    await connect(middle, right);
    const held = (n: MegaNode): string => {
      const o = n.mempool.getOracle(O.publicKey);
      const c = n.mempool.getCapability(O.publicKey, C.publicKey);
      return `${o ? versionHash(o.msg) : '-'} ${c ? versionHash(c.msg) : '-'}`;
    };
    const want = `${oracleWinner} ${capWinner}`;
    await waitFor(() => nodes.every((n) => held(n) === want), { timeoutMs: 15_000, message: () => `every node on the winning forks ${want}: ${nodes.map(held).join(' | ')}` });
    for (const n of nodes) assert.equal(held(n), want, 'expected the fork with the greater signing hash on every node');
  });
});
