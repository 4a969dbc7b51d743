// test/unit/trader/_world.ts - one test world for the trader engine tests: a bcoin regtest chain, its RPC chain backend, a MegaPort, local peers and a DLC oracle; pairs of funded parties, announced events, offer contents, and the checks every settlement test repeats.
import assert from 'node:assert/strict';
import { Regtest } from '../../helpers/regtest.ts';
import { makeDlcEvent, makeDlcOracle } from '../../helpers/dlc.ts';
import type { DlcEvent, DlcOracle } from '../../helpers/dlc.ts';
import type { OfferContent } from '../../../src/protocol/types.ts';
import type { EngineDeps } from '../../../src/trader/types.ts';
import { RegtestRpcChain } from './_chain.ts';
import { LocalPeers, MemoryMega } from './_mega.ts';
import { makeParty, removeParty } from './_harness.ts';
import type { Party } from './_harness.ts';

export type Content = Omit<OfferContent, 'contact' | 'contractType'>;

export class World {
  readonly parties: Party[] = [];
  private seq = 0;
  private constructor(
    readonly regtest: Regtest,
    readonly chain: RegtestRpcChain,
    readonly mega: MemoryMega,
    readonly peers: LocalPeers,
    readonly oracle: DlcOracle,
  ) {}

  static async start(oracleSeed: number): Promise<World> {
    const regtest = await Regtest.start();
    const mega = new MemoryMega();
    const oracle = makeDlcOracle(oracleSeed);
    mega.addCapability(oracle.capability);
    return new World(regtest, new RegtestRpcChain(regtest), mega, new LocalPeers(), oracle);
  }

  async stop(): Promise<void> {
    for (const p of this.parties) {
      await p.engine.close();
      removeParty(p);
    }
    await this.regtest.stop();
  }

  party(name: string, over: Partial<EngineDeps> = {}): Party {
    const p = makeParty(`${name}${this.seq++}`, { chain: this.chain, mega: this.mega, peers: this.peers }, over);
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

  event(opts: Parameters<typeof makeDlcEvent>[1]): DlcEvent {
    const ev = makeDlcEvent(this.oracle, { eventId: `ev${this.seq++}`, ...opts });
    this.mega.addAnnouncement(ev.entity);
    return ev;
  }

  /** An enum event maturing tomorrow. */
  enumEvent(): DlcEvent {
    return this.event({ maturityEpoch: Math.floor(Date.now() / 1000) + 86_400 });
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
    const mine = new Set(p.wallet.scripts.map((k) => Buffer.from(k.spk).toString('hex')));
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
