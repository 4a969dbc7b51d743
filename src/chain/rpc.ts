/**
 * chain/rpc.ts - BitcoindRpc: a ChainBackend over bitcoind's JSON-RPC 1.0 (HTTP POST, basic auth by
 * user/password or the node's `.cookie` file), with a per-call timeout, a response byte limit and a
 * guarded JSON parse. Works unchanged against bcoin's bitcoind-compatible RPC. Imports only
 * chain/types, chain/errors and bitcoinjs-lib (for a transaction's id).
 */
import fs from 'node:fs';
import { Transaction } from 'bitcoinjs-lib';
import { ChainError } from './errors.ts';
import type { BitcoinChainName, ChainBackend, ChainTip, TxOutInfo, TxStatus } from './types.ts';

/** Default per-call deadline. */
export const RPC_TIMEOUT_MS = 30_000;
/**
 * Default response limit: a raw block as hex is twice its size; consensus caps a block at 4 MB of
 * weight, so 8 MiB of hex plus the JSON envelope.
 */
export const RPC_MAX_RESPONSE_BYTES = 8 * 1024 * 1024 + 4096;
/** A cookie file is `__cookie__:<64 hex>`; anything far larger is not one. */
const MAX_COOKIE_BYTES = 1024;

const CHAINS: ReadonlySet<string> = new Set(['main', 'test', 'testnet4', 'signet', 'regtest']);
const HEX64 = /^[0-9a-f]{64}$/;
/** bitcoind's RPC_INVALID_ADDRESS_OR_KEY: "No such mempool or blockchain transaction". */
const RPC_INVALID_ADDRESS_OR_KEY = -5;
/** bitcoind's RPC_VERIFY_ALREADY_IN_CHAIN (older: "already in block chain"; newer: "outputs already in utxo set"). */
const RPC_VERIFY_ALREADY_IN_CHAIN = -27;
/** bitcoind's RPC_IN_WARMUP. */
const RPC_IN_WARMUP = -28;

/** Options of {@link BitcoindRpc}. */
export interface BitcoindRpcOptions {
  /** e.g. `http://127.0.0.1:18443/` (a wallet path such as `/wallet/x` is kept). */
  url: string;
  /** Basic auth user and password (bitcoind `rpcuser`/`rpcpassword` or an `rpcauth` entry). */
  user?: string;
  password?: string;
  /** Path of bitcoind's `.cookie` file (read on every call: bitcoind writes a new one at each start). Used when no password is given. */
  cookieFile?: string;
  timeoutMs?: number;
  maxResponseBytes?: number;
}

/** bitcoind's JSON-RPC, as a {@link ChainBackend}. Every method throws {@link ChainError}. */
export class BitcoindRpc implements ChainBackend {
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private nextId = 1;

  constructor(private readonly opts: BitcoindRpcOptions) {
    let u: URL;
    try {
      u = new URL(opts.url);
    } catch {
      // Never quote the text: a URL with user:password@ would put the password into logs and answers.
      throw new ChainError('unreachable', `chain rpc url is not a URL (${opts.url.length} characters)`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ChainError('unreachable', `chain rpc url must be http(s), got ${u.protocol}`);
    if (opts.password === undefined && opts.cookieFile === undefined) throw new ChainError('unreachable', 'chain rpc needs a password or a cookieFile');
    this.timeoutMs = opts.timeoutMs ?? RPC_TIMEOUT_MS;
    this.maxBytes = opts.maxResponseBytes ?? RPC_MAX_RESPONSE_BYTES;
  }

  async tip(): Promise<ChainTip> {
    const r = obj(await this.call('getblockchaininfo', []), 'getblockchaininfo');
    const chain = r.chain;
    if (typeof chain !== 'string' || !CHAINS.has(chain)) throw bad(`getblockchaininfo: unknown chain ${JSON.stringify(chain)}`);
    return {
      chain: chain as BitcoinChainName,
      height: int(r.blocks, 'getblockchaininfo.blocks'),
      bestBlockHash: hash(r.bestblockhash, 'getblockchaininfo.bestblockhash'),
      medianTime: int(r.mediantime, 'getblockchaininfo.mediantime'),
    };
  }

  async blockHash(height: number): Promise<string> {
    if (!Number.isSafeInteger(height) || height < 0) throw new RangeError(`blockHash: height ${height} is not a non-negative integer`);
    return hash(await this.call('getblockhash', [height]), 'getblockhash');
  }

  async block(blockHash: string): Promise<Uint8Array> {
    checkHash(blockHash, 'block');
    const hex = await this.call('getblock', [blockHash, 0]);
    if (typeof hex !== 'string' || hex.length < 160 || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw bad('getblock: not a raw block in hex');
    return new Uint8Array(Buffer.from(hex, 'hex'));
  }

  async broadcast(txHex: string): Promise<string> {
    let txid: string;
    try {
      txid = Transaction.fromHex(txHex).getId();
    } catch (err) {
      throw new ChainError('rejected', `not a transaction: ${(err as Error).message}`, undefined, { cause: err });
    }
    try {
      const r = await this.call('sendrawtransaction', [txHex]);
      return hash(r, 'sendrawtransaction');
    } catch (err) {
      if (!(err instanceof ChainError) || err.code !== 'bad-response' || err.rpcCode === undefined) throw err;
      // Already known is success: the transaction is where it was meant to go.
      if (err.rpcCode === RPC_VERIFY_ALREADY_IN_CHAIN || /already[- ]in[- ]mempool|txn-already-known/i.test(err.message)) return txid;
      throw new ChainError('rejected', err.message, err.rpcCode, { cause: err });
    }
  }

  async txStatus(txid: string): Promise<TxStatus | null> {
    checkHash(txid, 'txStatus');
    let r: unknown;
    try {
      r = await this.call('getrawtransaction', [txid, true]);
    } catch (err) {
      // Unknown to the node (or, on bitcoind without txindex=1, confirmed and not in the mempool).
      if (err instanceof ChainError && err.code === 'bad-response' && err.rpcCode !== undefined && (err.rpcCode === RPC_INVALID_ADDRESS_OR_KEY || /not found/i.test(err.message))) return null;
      throw err;
    }
    const o = obj(r, 'getrawtransaction');
    const confirmations = o.confirmations === undefined || o.confirmations === null ? 0 : int(o.confirmations, 'getrawtransaction.confirmations');
    const out: TxStatus = { confirmations };
    if (confirmations > 0 && typeof o.blockhash === 'string') out.blockHash = hash(o.blockhash, 'getrawtransaction.blockhash');
    return out;
  }

  async txOut(txid: string, vout: number): Promise<TxOutInfo | null> {
    checkHash(txid, 'txOut');
    if (!Number.isSafeInteger(vout) || vout < 0 || vout > 0xffffffff) throw new RangeError(`txOut: vout ${vout} out of range`);
    const r = await this.call('gettxout', [txid, vout, true]);
    if (r === null) return null;
    const o = obj(r, 'gettxout');
    const spk = obj(o.scriptPubKey, 'gettxout.scriptPubKey');
    if (typeof spk.hex !== 'string' || spk.hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(spk.hex)) throw bad('gettxout: scriptPubKey.hex is not hex');
    return { value: btcToSat(o.value, 'gettxout.value'), scriptPubKey: new Uint8Array(Buffer.from(spk.hex, 'hex')), confirmations: int(o.confirmations, 'gettxout.confirmations') };
  }

  async feeRate(targetBlocks: number): Promise<bigint | null> {
    if (!Number.isSafeInteger(targetBlocks) || targetBlocks < 1 || targetBlocks > 1008) throw new RangeError(`feeRate: target ${targetBlocks} not in 1..1008`);
    let r: unknown;
    try {
      r = await this.call('estimatesmartfee', [targetBlocks]);
    } catch (err) {
      // bcoin without a fee estimator answers an RPC error: that is "no estimate", not a broken node.
      if (err instanceof ChainError && err.code === 'bad-response' && err.rpcCode !== undefined) return null;
      throw err;
    }
    const o = obj(r, 'estimatesmartfee');
    // bitcoind: {feerate: BTC/kvB} or {errors: [...]} without feerate; bcoin: {fee: BTC/kvB | -1}.
    const v = o.feerate ?? o.fee;
    if (v === undefined || v === null || v === -1) return null;
    const satPerKvB = btcToSat(v, 'estimatesmartfee.feerate');
    if (satPerKvB <= 0n) return null;
    return (satPerKvB + 999n) / 1000n; // sat/kvB -> sat/vB, rounded up
  }

  /** One JSON-RPC 1.0 call: the `result`, or ChainError (an RPC `error` object carries its code as `rpcCode`). */
  private async call(method: string, params: unknown[]): Promise<unknown> {
    const id = this.nextId++;
    const body = JSON.stringify({ jsonrpc: '1.0', id, method, params });
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), this.timeoutMs);
    let text: string;
    let status: number;
    try {
      const res = await fetch(this.opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: this.authorization() },
        body,
        signal: ctrl.signal,
      });
      status = res.status;
      if (status === 401 || status === 403) {
        await res.body?.cancel().catch(() => undefined);
        throw new ChainError('unreachable', `${method}: the node refused our credentials (HTTP ${status})`);
      }
      text = await readLimited(res, this.maxBytes, method);
    } catch (err) {
      if (err instanceof ChainError) throw err;
      if (ctrl.signal.aborted) throw new ChainError('unreachable', `${method}: no answer within ${this.timeoutMs} ms`, undefined, { cause: err });
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new ChainError('unreachable', `${method}: ${cause?.code ?? cause?.message ?? (err as Error).message}`, undefined, { cause: err });
    } finally {
      clearTimeout(timer);
    }
    let reply: unknown;
    try {
      reply = JSON.parse(text);
    } catch {
      throw bad(`${method}: HTTP ${status} with a body that is not JSON`);
    }
    if (typeof reply !== 'object' || reply === null || Array.isArray(reply)) throw bad(`${method}: reply is not a JSON-RPC object`);
    const r = reply as { result?: unknown; error?: unknown; id?: unknown };
    if (r.error !== undefined && r.error !== null) {
      const e = r.error as { code?: unknown; message?: unknown };
      const code = typeof e.code === 'number' && Number.isInteger(e.code) ? e.code : undefined;
      const msg = typeof e.message === 'string' ? e.message.slice(0, 500) : JSON.stringify(r.error).slice(0, 500);
      // -28 RPC_IN_WARMUP: the node is starting (loading blocks, verifying): not there yet.
      if (code === RPC_IN_WARMUP) throw new ChainError('unreachable', `${method}: node warming up: ${msg}`, code);
      throw new ChainError('bad-response', `${method}: ${msg}`, code ?? 0);
    }
    if (!('result' in r)) throw bad(`${method}: reply has neither result nor error (HTTP ${status})`);
    return r.result;
  }

  private authorization(): string {
    let cred: string;
    if (this.opts.password !== undefined) {
      cred = `${this.opts.user ?? ''}:${this.opts.password}`;
    } else {
      let text: string;
      try {
        const fd = fs.openSync(this.opts.cookieFile!, 'r');
        try {
          const buf = Buffer.alloc(MAX_COOKIE_BYTES + 1);
          const n = fs.readSync(fd, buf, 0, buf.length, 0);
          if (n > MAX_COOKIE_BYTES) throw new Error('file too large for a cookie');
          text = buf.subarray(0, n).toString('utf8').trim();
        } finally {
          fs.closeSync(fd);
        }
      } catch (err) {
        throw new ChainError('unreachable', `cannot read the node's cookie file ${this.opts.cookieFile}: ${(err as Error).message}`, undefined, { cause: err });
      }
      if (!text.includes(':')) throw new ChainError('unreachable', `cookie file ${this.opts.cookieFile} is not user:password`);
      cred = text;
    }
    return `Basic ${Buffer.from(cred).toString('base64')}`;
  }
}

/** Read a response body as text, refusing more than `max` bytes (the stream is cancelled, not drained). */
async function readLimited(res: Response, max: number, method: string): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel().catch(() => undefined);
    throw bad(`${method}: response of ${declared} bytes exceeds the ${max}-byte limit`);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw bad(`${method}: response exceeds the ${max}-byte limit`);
    }
    parts.push(value);
  }
  return Buffer.concat(parts).toString('utf8');
}

function bad(message: string): ChainError {
  return new ChainError('bad-response', message);
}

function obj(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(`${what}: expected an object`);
  return v as Record<string, unknown>;
}

function int(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw bad(`${what}: expected a non-negative integer, got ${JSON.stringify(v)?.slice(0, 40)}`);
  return v;
}

function hash(v: unknown, what: string): string {
  if (typeof v !== 'string' || !HEX64.test(v)) throw bad(`${what}: expected a 64-hex hash`);
  return v;
}

function checkHash(v: string, what: string): void {
  if (typeof v !== 'string' || !HEX64.test(v)) throw new RangeError(`${what}: ${JSON.stringify(v)?.slice(0, 80)} is not a 64-hex lowercase hash`);
}

/** A BTC amount as JSON number (8 decimals) -> satoshis, exactly (via its decimal text, not float multiplication). */
function btcToSat(v: unknown, what: string): bigint {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 21_000_000) throw bad(`${what}: not a BTC amount`);
  const [whole, frac = ''] = v.toFixed(8).split('.');
  return BigInt(whole!) * 100_000_000n + BigInt(frac.padEnd(8, '0'));
}
