/**
 * test/helpers/regtest.ts - a real Bitcoin regtest chain in the test process: bcoin's FullNode
 * (in memory, no workers, no listening socket) validating segwit v0 scripts, signatures and
 * locktimes by consensus. Mines to a key the helper holds, funds P2WPKH outputs from its
 * coinbases, submits raw transactions through the mempool (policy + consensus) or straight into
 * a mined block (consensus only), and reports confirmations. See /work/shared/WAVE2-FACTS.md.
 */
import { createRequire } from 'node:module';
import crypto from 'node:crypto';
import * as ecc from 'tiny-secp256k1';
import { Transaction, payments } from 'bitcoinjs-lib';
import { signP2wpkhInput } from '../../src/contract/tx.ts';
import type { FundingInput } from '../../src/contract/types.ts';

// bcoin 1.0.2's native backends are not built under npm 11 (install scripts do not run): use its
// pure-JS ones. Must be set before bcoin (bcrypto) is first loaded.
process.env.NODE_BACKEND = 'js';
const require = createRequire(import.meta.url);

/* The few bcoin shapes this helper touches (bcoin ships no types). */
interface BTx {
  txid(): string;
  hash(): Buffer;
  outputs: { value: number }[];
}
interface BBlock {
  txs: BTx[];
  hash(): Buffer;
}
interface BEntry {
  height: number;
  hash: Buffer;
}
interface BJob {
  addTX(tx: BTx, view: unknown): boolean;
  pushTX(tx: BTx, view: unknown): boolean;
  refresh(): void;
}
interface BNode {
  open(): Promise<void>;
  close(): Promise<void>;
  chain: {
    tip: BEntry;
    height: number;
    add(block: BBlock): Promise<unknown>;
    getCoinView(tx: BTx): Promise<unknown>;
    getMedianTime(entry: BEntry): Promise<number>;
    getMeta(hash: Buffer): Promise<{ height: number } | null>;
    db: { getMeta(hash: Buffer): Promise<{ height: number } | null> };
  };
  mempool: {
    /** Hash of the chain tip the mempool is built on (bcoin 1.0.2 compares it with `===` to `chain.tip.hash`). */
    tip: unknown;
    reset(): Promise<void>;
    addTX(tx: BTx): Promise<unknown>;
    hasEntry(hash: string): boolean;
  };
  http: { address(): { port: number } };
  miner: {
    cpu: {
      createJob(tip?: BEntry, addr?: unknown): Promise<BJob>;
      mineAsync(job: BJob): Promise<BBlock>;
    };
  };
}
interface Bcoin {
  FullNode: new (opts: object) => BNode;
  TX: { fromRaw(raw: Buffer): BTx };
  Address: { fromScript(s: unknown): unknown };
  Script: { fromRaw(raw: Buffer): unknown };
}
let bcoinLib: Bcoin | null = null;
function bcoin(): Bcoin {
  bcoinLib ??= require('bcoin') as Bcoin;
  return bcoinLib;
}

/** Blocks after which regtest enforces segwit in bcoin (before: `no-witness-yet`). */
export const SEGWIT_HEIGHT = 432;
/** Regtest coinbase maturity. */
const COINBASE_MATURITY = 100;

/** A key this test holds with its P2WPKH script. */
export interface TestKey {
  secret: Uint8Array;
  pubkey: Uint8Array;
  spk: Uint8Array;
}

/** A fresh random key and its P2WPKH output script. */
export function newKey(): TestKey {
  for (;;) {
    const secret = new Uint8Array(crypto.randomBytes(32));
    if (!ecc.isPrivate(secret)) continue;
    const pubkey = ecc.pointFromScalar(secret, true)!;
    return { secret, pubkey, spk: payments.p2wpkh({ pubkey }).output! };
  }
}

/** Outcome of offering a transaction to the node. */
export type SubmitResult = { ok: true; txid: string } | { ok: false; reason: string };

/** One in-process regtest node and the miner key that owns its coinbases. */
export class Regtest {
  readonly miner = newKey();
  private coinbases: { txid: string; value: bigint; height: number }[] = [];
  private constructor(
    private readonly node: BNode,
    private readonly apiKey: string,
  ) {}

  /** Base URL of the node's bitcoind-compatible JSON-RPC (HTTP basic auth: any user, {@link rpcPassword}). */
  get rpcUrl(): string {
    return `http://127.0.0.1:${this.node.http.address().port}/`;
  }

  /** Password of the JSON-RPC endpoint. */
  get rpcPassword(): string {
    return this.apiKey;
  }

  /** Call a bitcoind-style JSON-RPC method (e.g. `getblockchaininfo`) over HTTP; throws the RPC error message. */
  async rpc<T>(method: string, params: unknown[] = []): Promise<T> {
    const res = await fetch(this.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`x:${this.apiKey}`).toString('base64')}` },
      body: JSON.stringify({ jsonrpc: '1.0', id: 1, method, params }),
    });
    const body = (await res.json()) as { result: T; error: { message: string } | null };
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result;
  }

  /** Open a node and mine past segwit activation and coinbase maturity. */
  static async start(): Promise<Regtest> {
    const b = bcoin();
    // Its HTTP/JSON-RPC server always opens: loopback, an OS-chosen port (never regtest's fixed
    // 48332, which parallel tests and other users of the machine would fight over), a random key.
    const apiKey = crypto.randomBytes(16).toString('hex');
    const node = new b.FullNode({
      network: 'regtest',
      memory: true,
      workers: false,
      listen: false,
      indexTX: true,
      httpHost: '127.0.0.1',
      httpPort: 0,
      apiKey,
      logLevel: 'none',
      logConsole: false,
    });
    await node.open();
    const r = new Regtest(node, apiKey);
    await r.mine(SEGWIT_HEIGHT + 1);
    return r;
  }

  async stop(): Promise<void> {
    await this.node.close();
  }

  /** Current tip height. */
  get height(): number {
    return this.node.chain.height;
  }

  /** Median time past of the tip: what time locks are compared with (BIP 113). */
  async medianTimePast(): Promise<number> {
    return this.node.chain.getMedianTime(this.node.chain.tip);
  }

  private address(spk: Uint8Array): unknown {
    const b = bcoin();
    return b.Address.fromScript(b.Script.fromRaw(Buffer.from(spk)));
  }

  /** Mine `n` blocks (with whatever the mempool holds) paying `spk` (default: the miner key, whose coinbases {@link fund} spends). */
  async mine(n: number, spk: Uint8Array = this.miner.spk): Promise<void> {
    const ours = Buffer.compare(Buffer.from(spk), Buffer.from(this.miner.spk)) === 0;
    for (let i = 0; i < n; i++) {
      const job = await this.node.miner.cpu.createJob(undefined, this.address(spk));
      const block = await this.node.miner.cpu.mineAsync(job);
      await this.node.chain.add(block);
      const cb = block.txs[0]!;
      if (!ours) continue;
      this.coinbases.push({
        txid: cb.txid(),
        value: BigInt(cb.outputs[0]!.value),
        height: this.node.chain.height,
      });
    }
  }

  /** Offer a raw transaction to the mempool (policy and consensus checks); bcoin's reason on refusal. */
  async submit(tx: Transaction | Uint8Array): Promise<SubmitResult> {
    const raw = Buffer.from(tx instanceof Transaction ? tx.toBuffer() : tx);
    const btx = bcoin().TX.fromRaw(raw);
    try {
      await this.node.mempool.addTX(btx);
      return { ok: true, txid: btx.txid() };
    } catch (err) {
      return {
        ok: false,
        reason: (err as { reason?: string }).reason ?? (err as Error).message,
      };
    }
  }

  /**
   * Mine one block that includes `tx` directly, bypassing the mempool, so only consensus judges it
   * (a bad signature: `mandatory-script-verify-flag-failed`). Returns the chain's reason on refusal;
   * the refused block is not connected.
   */
  async mineWith(tx: Transaction): Promise<SubmitResult> {
    const btx = bcoin().TX.fromRaw(Buffer.from(tx.toBuffer()));
    try {
      const job = await this.node.miner.cpu.createJob(undefined, this.address(this.miner.spk));
      const view = await this.node.chain.getCoinView(btx);
      job.pushTX(btx, view);
      job.refresh();
      const block = await this.node.miner.cpu.mineAsync(job);
      await this.node.chain.add(block);
      return { ok: true, txid: btx.txid() };
    } catch (err) {
      return {
        ok: false,
        reason: (err as { reason?: string }).reason ?? (err as Error).message,
      };
    }
  }

  /** Block height a transaction was confirmed at, or null (unconfirmed or unknown). */
  async confirmedHeight(txid: string): Promise<number | null> {
    const meta = await this.node.chain.db.getMeta(Buffer.from(txid, 'hex').reverse());
    return meta && meta.height >= 0 ? meta.height : null;
  }

  /**
   * Disconnect block `hash` (display order) and every block above it, like bitcoind's
   * `invalidateblock`; the next {@link mine} builds a competing fork from its parent. bcoin 1.0.2's
   * mempool does not follow that reset (its miner then refuses: "Mempool/chain tip mismatch"), so
   * the mempool is reset here too: the disconnected blocks' transactions are dropped, not re-mined.
   */
  async invalidate(hash: string): Promise<void> {
    await this.rpc('invalidateblock', [hash]);
    await this.node.mempool.reset();
    if (this.node.mempool.tip !== this.node.chain.tip.hash) throw new Error('bcoin mempool did not follow the invalidated tip');
  }

  /** Whether the mempool holds the transaction. */
  inMempool(txid: string): boolean {
    // bcoin 1.0.2 keys its mempool by the hash in internal byte order, as hex.
    return this.node.mempool.hasEntry(Buffer.from(txid, 'hex').reverse().toString('hex'));
  }

  /**
   * Pay each `{spk, value}` from one mature coinbase in one transaction, mine it, and return the
   * new outputs as funding inputs (serial ids left 0 for the caller to set).
   */
  async fund(outputs: { spk: Uint8Array; value: bigint }[]): Promise<FundingInput[]> {
    const idx = this.coinbases.findIndex((c) => this.height - c.height + 1 >= COINBASE_MATURITY);
    if (idx < 0) throw new Error('no mature coinbase left');
    const cb = this.coinbases.splice(idx, 1)[0]!;
    const fee = 10_000n;
    const total = outputs.reduce((s, o) => s + o.value, 0n);
    if (total + fee > cb.value) throw new Error('one coinbase cannot fund that much');
    const tx = new Transaction();
    tx.version = 2;
    tx.addInput(Buffer.from(cb.txid, 'hex').reverse(), 0, 0xffffffff);
    for (const o of outputs) tx.addOutput(o.spk, o.value);
    tx.addOutput(this.miner.spk, cb.value - total - fee);
    tx.setWitness(
      0,
      signP2wpkhInput(
        tx,
        0,
        {
          txid: cb.txid,
          vout: 0,
          value: cb.value,
          scriptPubKey: this.miner.spk,
          serialId: 0n,
          maxWitnessLen: 108,
        },
        this.miner.secret,
      ),
    );
    const res = await this.submit(tx);
    if (!res.ok) throw new Error(`funding transaction refused: ${res.reason}`);
    await this.mine(1);
    const txid = tx.getId();
    return outputs.map((o, vout) => ({
      txid,
      vout,
      value: o.value,
      scriptPubKey: o.spk,
      serialId: 0n,
      maxWitnessLen: 108,
    }));
  }
}
