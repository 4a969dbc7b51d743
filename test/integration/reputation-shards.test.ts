// test/integration/reputation-shards.test.ts - GET /oracles/{pubkey}/reputation across two shards: the default (local) scope counts only the node's own shard; scope=network gathers the other shard's reports from its peer (re-verified), over the whole rotation chain, disputes included.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Reputation } from '../../src/identity/standing.ts';
import type { MegaNode } from '../../src/node.ts';
import type { Report } from '../../src/protocol/types.ts';
import { makeCapability, makeDispute, makeFact, makeKeys, makeOracle, makeReport, reportId } from '../helpers/factory.ts';
import { connect, createTestNode, get, hasItem, post, stopAll, waitFor } from '../helpers/network.ts';

const OLD = makeKeys(831);
const NEW = makeKeys(832);
const CAP_OLD = makeKeys(833);
const CAP_NEW = makeKeys(834);

/** Shard index of a report id among 2 shards. */
const shardOf = (r: Report): number => Number(BigInt(`0x${reportId(r)}`) % 2n);

/** The first report built by `make(i)` (i = 0, 1, …) that lands in `shard`. */
function inShard(shard: number, make: (i: number) => Report): Report {
  for (let i = 0; ; i++) {
    const r = make(i);
    if (shardOf(r) === shard) return r;
  }
}

describe('reputation across shards (count 2): scope=local vs scope=network', () => {
  const nodes: MegaNode[] = [];
  let s0: MegaNode;
  let s1: MegaNode;
  const oldAd = makeOracle({ keys: OLD });
  const newAd = makeOracle({ keys: NEW, previous: { oracle: oldAd, keys: OLD } });
  // Against the new key: a fact-missing in each shard, the one of shard 1 answered by a dispute.
  const missing0 = inShard(0, (i) => makeReport({ type: 'fact-missing', oraclePubKey: NEW.publicKey, capKeys: CAP_NEW, args: { n: `a${i}` }, difficulty: 3 }));
  const missing1Args = { n: 'b' };
  const missing1 = inShard(1, (i) => makeReport({ type: 'fact-missing', oraclePubKey: NEW.publicKey, capKeys: CAP_NEW, args: { ...missing1Args, i: String(i) }, difficulty: 4 }));
  // Against the old key (counts under the new one): a verified conflict in shard 1, a disagreement in shard 0.
  const conflict1 = inShard(1, (i) => makeReport({ type: 'fact-conflict', oraclePubKey: OLD.publicKey, capKeys: CAP_OLD, args: { c: String(i) }, difficulty: 2 }));
  const disagrees0 = inShard(0, (i) => makeReport({ type: 'fact-disagrees-with-public', oraclePubKey: OLD.publicKey, capKeys: CAP_OLD, args: { d: String(i) }, difficulty: 1 }));

  before(async () => {
    s0 = await createTestNode({ shard: { count: 2, index: 0 } }, 'rep-s0');
    nodes.push(s0);
    s1 = await createTestNode({ shard: { count: 2, index: 1 } }, 'rep-s1');
    nodes.push(s1);
    await connect(s0, s1);
    for (const [path, body] of [
      ['/oracle', oldAd],
      ['/oracle', newAd],
      ['/capability', makeCapability({ oracleKeys: OLD, capKeys: CAP_OLD, question: 'Old question?' })],
      ['/capability', makeCapability({ oracleKeys: NEW, capKeys: CAP_NEW, question: 'New question?' })],
    ] as const) {
      assert.equal((await post(s0, path, body)).status, 201, path);
    }
    await waitFor(() => hasItem(s1, 'capability', OLD.publicKey + CAP_OLD.publicKey) && hasItem(s1, 'capability', NEW.publicKey + CAP_NEW.publicKey), {
      message: 'ads and capabilities on both nodes',
    });
    for (const r of [missing0, missing1, conflict1, disagrees0]) assert.equal((await post(s0, '/report', r)).status, shardOf(r) === 0 ? 201 : 202);
    await waitFor(() => hasItem(s1, 'report', reportId(missing1)) && hasItem(s1, 'report', reportId(conflict1)), { message: 'shard-1 reports stored by s1' });
    const fact = makeFact({ capKeys: CAP_NEW, args: missing1.content.type === 'fact-missing' ? missing1.content.request.arguments : {}, answer: 'yes' });
    assert.equal((await post(s1, '/dispute', makeDispute({ reportId: reportId(missing1), oraclePubKey: NEW.publicKey, fact }))).status, 201);
    for (const r of [missing0, disagrees0]) assert.equal(hasItem(s1, 'report', reportId(r)), false, "expected hasItem(s1, 'report', reportId(r)) to be false");
    for (const r of [missing1, conflict1]) assert.equal(hasItem(s0, 'report', reportId(r)), false, "expected hasItem(s0, 'report', reportId(r)) to be false");
  });

  after(async () => {
    await stopAll(nodes);
  });

  const reputation = async (node: MegaNode, key: string, query = ''): Promise<Reputation> => {
    const { status, body } = await get(node, `/oracles/${key}/reputation${query}`);
    assert.equal(status, 200, JSON.stringify(body));
    return body as Reputation;
  };
  const common = { pubkey: NEW.publicKey, previousKeys: [OLD.publicKey], rotatedTo: [] };

  it('local scope (the default) counts only the node\'s own shard', async () => {
    const local0 = {
      ...common,
      scope: 'local',
      reports: { total: 2, byType: { 'fact-conflict': 0, 'fact-missing': 1, 'fact-disagrees-with-public': 1, 'dlc-equivocation': 0, 'dlc-nonce-reuse': 0 } },
      verifiedConflicts: 0,
      disputedMissing: 0,
      undisputedMissing: 1,
      reportPow: { difficultySum: 3 + 1, expectedHashes: 8 + 2 },
      conflicted: false,
    };
    assert.deepEqual(await reputation(s0, NEW.publicKey), local0);
    assert.deepEqual(await reputation(s0, NEW.publicKey, '?scope=local'), local0);
    assert.deepEqual(await reputation(s1, NEW.publicKey), {
      ...common,
      scope: 'local',
      reports: { total: 2, byType: { 'fact-conflict': 1, 'fact-missing': 1, 'fact-disagrees-with-public': 0, 'dlc-equivocation': 0, 'dlc-nonce-reuse': 0 } },
      verifiedConflicts: 1,
      disputedMissing: 1,
      undisputedMissing: 0,
      reportPow: { difficultySum: 4 + 2, expectedHashes: 16 + 4 },
      conflicted: true,
    });
  });

  it('network scope sees every shard from either node, over the whole rotation chain, with the remote dispute', async () => {
    const all = {
      ...common,
      scope: 'network',
      reports: { total: 4, byType: { 'fact-conflict': 1, 'fact-missing': 2, 'fact-disagrees-with-public': 1, 'dlc-equivocation': 0, 'dlc-nonce-reuse': 0 } },
      verifiedConflicts: 1,
      disputedMissing: 1,
      undisputedMissing: 1,
      reportPow: { difficultySum: 3 + 4 + 2 + 1, expectedHashes: 8 + 16 + 4 + 2 },
      conflicted: true,
    };
    assert.deepEqual(await reputation(s0, NEW.publicKey, '?scope=network'), all);
    assert.deepEqual(await reputation(s1, NEW.publicKey, '?scope=network'), all);
    // The old key alone: only the reports against it, and it shows where it was rotated to.
    const old = await reputation(s0, OLD.publicKey, '?scope=network');
    assert.deepEqual(old.reports, { total: 2, byType: { 'fact-conflict': 1, 'fact-missing': 0, 'fact-disagrees-with-public': 1, 'dlc-equivocation': 0, 'dlc-nonce-reuse': 0 } });
    assert.deepEqual(old.rotatedTo, [NEW.publicKey]);
    assert.deepEqual(old.previousKeys, []);
  });

  it('a bad scope is a 400; an unknown oracle is a 404 in either scope', async () => {
    const bad = await get(s0, `/oracles/${NEW.publicKey}/reputation?scope=everywhere`);
    assert.equal(bad.status, 400);
    assert.equal((bad.body as { error: { code: string } }).error.code, 'invalid-query');
    const unknown = await get(s0, `/oracles/${makeKeys(839).publicKey}/reputation?scope=network`);
    assert.equal(unknown.status, 404);
  });
});

describe('reputation across shards when only the new key\'s ad is stored (reports against the old key are kept under the new one)', () => {
  const nodes: MegaNode[] = [];
  let s0: MegaNode;
  let s1: MegaNode;
  const OLD2 = makeKeys(841);
  const NEW2 = makeKeys(842);
  const CAP2 = makeKeys(843);
  const newAd = makeOracle({ keys: NEW2, previous: { oracle: makeOracle({ keys: OLD2 }), keys: OLD2 } });
  const capability = makeCapability({ oracleKeys: OLD2, capKeys: CAP2, question: 'q?' });
  const conflict = (shard: number) => inShard(shard, (i) => makeReport({ type: 'fact-conflict', oraclePubKey: OLD2.publicKey, capKeys: CAP2, args: { s: String(i) }, capability }));

  before(async () => {
    s0 = await createTestNode({ shard: { count: 2, index: 0 } }, 'rep2-s0');
    nodes.push(s0);
    s1 = await createTestNode({ shard: { count: 2, index: 1 } }, 'rep2-s1');
    nodes.push(s1);
    await connect(s0, s1);
    assert.equal((await post(s0, '/oracle', newAd)).status, 201);
    await waitFor(() => hasItem(s1, 'oracle', NEW2.publicKey), { message: 'new ad on both nodes' });
    for (const r of [conflict(0), conflict(1)]) assert.equal([201, 202].includes((await post(s0, '/report', r)).status), true, "expected [201, 202].includes((await post(s0, '/report', r)).status) to be true");
    await waitFor(() => hasItem(s1, 'report', reportId(conflict(1))), { message: 'shard-1 conflict stored by s1' });
  });

  after(async () => {
    await stopAll(nodes);
  });

  // A peer lists the reports it keeps under NEW2, those against OLD2 included; the service keeps a
  // remote report whose key the local rotation index links to the queried key.
  it('network scope counts the other shard\'s reports against the old key', async () => {
    const { body } = await get(s0, `/oracles/${NEW2.publicKey}/reputation?scope=network`);
    assert.equal((body as Reputation).verifiedConflicts, 2);
  });

  it('local scope counts the node\'s own shard\'s report against the old key under the new key', async () => {
    const { body } = await get(s0, `/oracles/${NEW2.publicKey}/reputation`);
    assert.equal((body as Reputation).verifiedConflicts, 1);
    assert.deepEqual((body as Reputation).previousKeys, [OLD2.publicKey]);
  });
});
