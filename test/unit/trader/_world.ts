// test/unit/trader/_world.ts - one test world for the trader engine tests: a bcoin regtest chain, its RPC chain backend, a MegaPort, local peers and a DLC oracle; pairs of funded parties, announced events, offer contents, and the checks every settlement test repeats.
import assert from 'node:assert/strict';
import { Regtest } from '../../helpers/regtest.ts';
import { makeDlcEvent, makeDlcOracle } from '../../helpers/dlc.ts';
import type { DlcEvent, DlcOracle } from '../../helpers/dlc.ts';
import type { OfferContent } from '../../../src/protocol/types.ts';
import type { EngineDeps } from '../../../src/trader/types.ts';
import { RegtestRpcChain } from './_chain.ts';
import { HookedMega, LocalPeers, MemoryMega } from './_mega.ts';
import { RestMega } from './_rest-mega.ts';
import { createTestNode, post, stopAll } from '../../helpers/network.ts';
import type { MegaNode } from '../../../src/node.ts';
import { makeDlcAttestation } from '../../helpers/dlc.ts';
import type { Attestation, Offer } from '../../../src/protocol/types.ts';
import { waitFor } from '../../helpers/wait.ts';
import { makeParty, removeParty } from './_harness.ts';
import type { Party } from './_harness.ts';

export type Content = Omit<OfferContent, 'contact' | 'contractType'>;

/** Where the offers and announcements live: an in-process Mega node over REST, or an in-memory MegaPort. */
export type Board = 'node' | 'memory';

export class World {
  readonly parties: Party[] = [];
  private seq = 0;
  private constructor(
    readonly regtest: Regtest,
    readonly chain: RegtestRpcChain,
    readonly mega: HookedMega,
    readonly peers: LocalPeers,
    readonly oracle: DlcOracle,
    readonly node: MegaNode | null,
    private readonly memory: MemoryMega | null,
  ) {}

  static async start(oracleSeed: number, board: Board = process.env.MEGA_TRADER_TEST_BOARD === 'memory' ? 'memory' : 'node'): Promise<World> {
    const regtest = await Regtest.start();
    const oracle = makeDlcOracle(oracleSeed);
    let node: MegaNode | null = null;
    let memory: MemoryMega | null = null;
    let inner;
    if (board === 'node') {
      node = await createTestNode({}, `trader-world-${oracleSeed}`);
      inner = new RestMega(`http://127.0.0.1:${node.httpPort}`);
    } else {
      inner = memory = new MemoryMega();
    }
    const w = new World(regtest, new RegtestRpcChain(regtest), new HookedMega(inner), new LocalPeers(), oracle, node, memory);
    await w.addOracle(oracle);
    return w;
  }

  private async addOracle(o: DlcOracle): Promise<void> {
    if (this.memory) return this.memory.addCapability(o.capability);
    assert.equal((await post(this.node!, '/oracle', o.oracle)).status, 201, 'the oracle ad is accepted');
    assert.equal((await post(this.node!, '/capability', o.capability)).status, 201, 'the DLC capability is accepted');
  }

  /** The offer as the board serves it now. */
  async board(id: string): Promise<Offer | null> {
    return this.mega.inner.getOffer(id);
  }

  /** Post an attestation to the board. */
  async attest(a: Attestation): Promise<void> {
    if (this.memory) return this.memory.attest(a);
    assert.equal((await post(this.node!, '/attestation', a)).status, 201, 'the attestation is accepted');
  }

  /** Make oracle `o` conflicted: in memory by decree; on a node by posting two attestations of a fresh event of it with different outcomes (the node keeps the dlc-equivocation proof). */
  async makeConflicted(o: DlcOracle): Promise<void> {
    if (this.memory) {
      this.memory.conflicted.add(o.oracleKeys.publicKey);
      return;
    }
    const ev = await this.enumEvent(o);
    await this.attest(makeDlcAttestation(o, ev, ['rain']));
    const second = await post(this.node!, '/attestation', makeDlcAttestation(o, ev, ['sun']));
    assert.equal(second.status, 422, 'the equivocating attestation is refused');
    await waitFor(async () => (await this.mega.getOracleStanding(o.oracleKeys.publicKey)).conflicted, { message: 'the node lists the oracle as conflicted' });
  }

  /** Another oracle with a DLC capability on the board. */
  async otherOracle(seed: number): Promise<DlcOracle> {
    const o = makeDlcOracle(seed);
    await this.addOracle(o);
    return o;
  }

  async stop(): Promise<void> {
    for (const p of this.parties) {
      await p.engine.close();
      removeParty(p);
    }
    await this.regtest.stop();
    await stopAll([this.node ?? undefined]);
  }

  party(name: string, over: Partial<EngineDeps> = {}): Party {
    const p = makeParty(`${name}${this.seq++}`, { chain: this.chain, mega: this.mega, peers: this.peers, height: this.regtest.height }, over);
    this.parties.push(p);
    return p;
  }

  async pair(makerOver: Partial<EngineDeps> = {}, takerOver: Partial<EngineDeps> = {}): Promise<{ maker: Party; taker: Party }> {
    const maker = this.party('maker', makerOver);
    const taker = this.party('taker', takerOver);
    await maker.wallet.fundFrom(this.regtest, 2, 300_000n);
    await taker.wallet.fundFrom(this.regtest, 2, 300_000n);
    return { maker, taker };
  }

  async event(opts: Parameters<typeof makeDlcEvent>[1], o: DlcOracle = this.oracle): Promise<DlcEvent> {
    const ev = makeDlcEvent(o, { eventId: `ev${this.seq++}`, ...opts });
    if (this.memory) this.memory.addAnnouncement(ev.entity);
    else assert.equal((await post(this.node!, '/announcement', ev.entity)).status, 201, 'the announcement is accepted');
    return ev;
  }

  /** An enum event maturing tomorrow. */
  enumEvent(o: DlcOracle = this.oracle): Promise<DlcEvent> {
    return this.event({ maturityEpoch: Math.floor(Date.now() / 1000) + 86_400 }, o);
  }

  async enumContent(ev: DlcEvent, over: Partial<Content> = {}): Promise<Content> {
    const mtp = (await this.chain.tip()).medianTime;
    return {
      announcementId: ev.id,
      chain: 'bitcoin-regtest',
      makerCollateral: 100_000,
      takerCollateral: 50_000,
      payouts: {
        kind: 'enum',
        outcomes: [
          { outcome: 'rain', maker: 150_000, taker: 0 },
          { outcome: 'sun', maker: 0, taker: 150_000 },
          { outcome: 'snow', maker: 100_000, taker: 50_000 },
        ],
      },
      feeRate: 2,
      cetLocktime: 0,
      refundLocktime: mtp + 30 * 86_400,
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
      ...over,
    };
  }

  /** Value (sat) paid by `txid` to one of `p`'s wallet scripts. */
  async paidToWallet(txid: string, p: Party): Promise<bigint> {
    const raw = await this.regtest.rpc<{ vout: { value: number; scriptPubKey: { hex: string } }[] }>('getrawtransaction', [txid, 1]);
    const mine = new Set(p.wallet.scripts.map((k) => Buffer.from(k).toString('hex')));
    return raw.vout.filter((o) => mine.has(o.scriptPubKey.hex)).reduce((s, o) => s + BigInt(Math.round(o.value * 1e8)), 0n);
  }

  /** The taker broadcast the funding; mine it; both sides tick to `funded`. */
  async fundAndConfirm(maker: Party, taker: Party, offerId: string): Promise<void> {
    const t = taker.engine.get(offerId)!;
    assert.equal(t.phase, 'funding', `taker should have broadcast the funding, is ${t.phase} (${t.error})`);
    assert.ok(this.regtest.inMempool(t.fundingTxid!), `the signed funding transaction must be in the mempool (${t.error})`);
    assert.equal(maker.engine.get(offerId)!.fundingTxid, t.fundingTxid, 'both sides derive the same funding txid');
    await this.regtest.mine(1);
    await maker.engine.tick();
    await taker.engine.tick();
    assert.equal(maker.engine.get(offerId)!.phase, 'funded', `maker sees the funding confirmed (${maker.engine.get(offerId)!.error})`);
    assert.equal(taker.engine.get(offerId)!.phase, 'funded', `taker sees the funding confirmed (${taker.engine.get(offerId)!.error})`);
  }
}
