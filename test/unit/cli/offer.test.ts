// test/unit/cli/offer.test.ts - `mega offer list` in process against a real node on loopback: the JSON of GET /offers on stdout, one line per offer with its oracle's standing on stderr (CONFLICTED once a proof is stored), filters passed through, bad flags and unknown actions as usage errors (exit 2).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { MegaNode } from '../../../src/node.ts';
import type { CliIo } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { offerId } from '../../../src/protocol/offer.ts';
import { createTestNode, post } from '../../helpers/network.ts';
import { makeDlcAttestation, makeDlcEvent, makeDlcOracle, makeEquivocationReport } from '../../helpers/dlc.ts';
import { enumTerms, makeOffer, makerKeys } from '../../helpers/offer.ts';

async function mega(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    env: {},
    stdin: Readable.from([]),
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    stderrIsTTY: false,
    stdinUsed: false,
    onInterrupt: () => () => undefined,
    exit: (code) => {
      throw new Error(`mega asked to exit ${code}`);
    },
  };
  const code = await main(args, io);
  return { code, out, err };
}

describe('mega offer list', () => {
  let node: MegaNode;
  let url: string;
  before(async () => {
    node = await createTestNode({ targetOutbound: 0 }, 'cli-offer');
    url = `http://127.0.0.1:${node.httpPort}`;
  });
  after(async () => {
    await node.stop();
  });

  it("prints the node's offers and the standing of each oracle, and says CONFLICTED once the oracle is proven faulty", async () => {
    const o = makeDlcOracle(91, 'dlcspecs-v0', 'Will it rain in Oslo?');
    const nowS = Math.floor(Date.now() / 1000);
    const ev = makeDlcEvent(o, { maturityEpoch: nowS + 3 * 86400 });
    for (const [p, body] of [['/oracle', o.oracle], ['/capability', o.capability], ['/announcement', ev.entity]] as const) assert.equal((await post(node, p, body)).status, 201, p);
    const offer = makeOffer(makerKeys(91), enumTerms(ev, nowS));
    assert.equal((await post(node, '/offer', offer)).status, 201);

    const r = await mega(['offer', 'list', '--node', url, '--q', 'oslo rain', '--announcement', ev.id]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual((JSON.parse(r.out) as { id: string }[]).map((x) => x.id), [offerId(offer)], 'expected the JSON listing on stdout');
    assert.match(r.err, /taker locks 40000 sat against 60000 on bitcoin-regtest/, 'expected the terms on stderr');
    assert.match(r.err, /no proof against it/, 'expected the standing of a clean oracle');

    const none = await mega(['offer', 'list', '--node', url, '--q', 'paris']);
    assert.deepEqual([none.code, JSON.parse(none.out), /no offers match/.test(none.err)], [0, [], true], 'expected an empty listing for another word');

    const rep = makeEquivocationReport(o, ev, makeDlcAttestation(o, ev, ['rain']), makeDlcAttestation(o, ev, ['sun']));
    assert.equal((await post(node, '/report', rep)).status, 201, 'expected the proof accepted');
    const after = await mega(['offer', 'list', '--node', url]);
    assert.match(after.err, /CONFLICTED \(1 proof of misbehaviour\): do not bet on it/, 'expected the conflicted oracle called out');
  });

  it('refuses bad flags and unknown actions as usage errors', async () => {
    for (const args of [['offer'], ['offer', 'steal'], ['offer', 'list', '--chain', 'litecoin'], ['offer', 'list', '--oracle', 'xyz'], ['offer', 'list', 'extra']]) {
      const r = await mega([...args, '--node', url]);
      assert.equal(r.code, 2, `expected exit 2 for ${args.join(' ')}: ${r.err}`);
      assert.equal(r.err.trim().split('\n').length, 1, `expected one error line for ${args.join(' ')}`);
    }
  });
});
