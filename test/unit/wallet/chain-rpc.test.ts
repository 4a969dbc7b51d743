// test/unit/wallet/chain-rpc.test.ts - BitcoindRpc against a local HTTP server that answers like bitcoind (its JSON-RPC error shapes) and like a broken or hostile node: garbage, huge bodies, 401, hangs, refused connections. Each must end in the right ChainError code within the timeout.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Transaction } from 'bitcoinjs-lib';
import { BitcoindRpc } from '../../../src/chain/rpc.ts';
import { ChainError, type ChainErrorCode } from '../../../src/chain/errors.ts';

type Handler = (body: { method: string; params: unknown[]; id: unknown }, req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A one-transaction hex (bitcoinjs) for broadcast tests. */
function someTxHex(): { hex: string; txid: string } {
  const tx = new Transaction();
  tx.version = 2;
  tx.addInput(Buffer.alloc(32, 7), 0);
  tx.addOutput(Buffer.from('0014' + '11'.repeat(20), 'hex'), 1000n);
  return { hex: tx.toHex(), txid: tx.getId() };
}

async function expectCode(p: Promise<unknown>, code: ChainErrorCode, re?: RegExp): Promise<ChainError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ChainError, `expected a ChainError, got ${String(err)}`);
    assert.equal(err.code, code, `expected code ${code}, got ${err.code}: ${err.message}`);
    if (re) assert.match(err.message, re);
    return err;
  }
  assert.fail(`expected ChainError ${code}, the call succeeded`);
}

describe('BitcoindRpc against a scripted HTTP node', () => {
  let server: http.Server;
  let url: string;
  let handler: Handler;
  const sockets = new Set<Socket>();
  let lastAuth = '';

  before(async () => {
    server = http.createServer((req, res) => {
      lastAuth = req.headers.authorization ?? '';
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => handler(JSON.parse(Buffer.concat(chunks).toString()), req, res));
    });
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const reply = (res: http.ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const rpc = (o: Partial<ConstructorParameters<typeof BitcoindRpc>[0]> = {}): BitcoindRpc => new BitcoindRpc({ url, user: 'u', password: 'p', timeoutMs: 1500, ...o });

  it('parses getblockchaininfo into a tip and sends basic auth', async () => {
    handler = (b, _q, res) => reply(res, 200, { id: b.id, error: null, result: { chain: 'regtest', blocks: 500, bestblockhash: 'ab'.repeat(32), mediantime: 1_700_000_000 } });
    const tip = await rpc().tip();
    assert.deepEqual(tip, { chain: 'regtest', height: 500, bestBlockHash: 'ab'.repeat(32), medianTime: 1_700_000_000 });
    assert.equal(lastAuth, `Basic ${Buffer.from('u:p').toString('base64')}`, 'basic auth with user:password');
  });

  it('reads the .cookie file on each call (bitcoind rewrites it at every start)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-cookie-'));
    const cookie = path.join(dir, '.cookie');
    fs.writeFileSync(cookie, '__cookie__:first');
    handler = (b, _q, res) => reply(res, 200, { id: b.id, error: null, result: 'cd'.repeat(32) });
    const r = new BitcoindRpc({ url, cookieFile: cookie, timeoutMs: 1500 });
    await r.blockHash(1);
    assert.equal(lastAuth, `Basic ${Buffer.from('__cookie__:first').toString('base64')}`);
    fs.writeFileSync(cookie, '__cookie__:second');
    await r.blockHash(1);
    assert.equal(lastAuth, `Basic ${Buffer.from('__cookie__:second').toString('base64')}`, 'a rewritten cookie must be picked up');
    fs.rmSync(cookie);
    await expectCode(r.blockHash(1), 'unreachable', /cookie/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('401 -> unreachable (credentials), not bad-response', async () => {
    handler = (_b, _q, res) => {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="jsonrpc"' });
      res.end();
    };
    await expectCode(rpc().tip(), 'unreachable', /credentials.*401/);
  });

  it('garbage body -> bad-response', async () => {
    handler = (_b, _q, res) => {
      res.writeHead(200);
      res.end('<html>not json</html>');
    };
    await expectCode(rpc().tip(), 'bad-response', /not JSON/);
  });

  it('well-formed JSON of the wrong shape -> bad-response', async () => {
    handler = (b, _q, res) => reply(res, 200, { id: b.id, error: null, result: { chain: 'mars', blocks: -1 } });
    await expectCode(rpc().tip(), 'bad-response', /unknown chain/);
    handler = (b, _q, res) => reply(res, 200, { id: b.id, error: null, result: 'zz' });
    await expectCode(rpc().blockHash(3), 'bad-response', /64-hex/);
    handler = (b, _q, res) => reply(res, 200, [1, 2]);
    await expectCode(rpc().blockHash(3), 'bad-response', /JSON-RPC object/);
  });

  it('a body over the byte limit -> bad-response, declared or streamed', async () => {
    handler = (_b, _q, res) => {
      res.writeHead(200, { 'content-length': String(10_000_000) });
      res.write('{"result":"');
      // never finishes: the client must refuse by the declared length alone
    };
    await expectCode(rpc({ maxResponseBytes: 100_000 }).block('ab'.repeat(32)), 'bad-response', /limit/);
    handler = (_b, _q, res) => {
      res.writeHead(200); // chunked: no declared length
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      for (let i = 0; i < 20; i++) res.write(chunk);
      res.end();
    };
    await expectCode(rpc({ maxResponseBytes: 100_000 }).block('ab'.repeat(32)), 'bad-response', /limit/);
  });

  it('a node that never answers -> unreachable within the timeout', async () => {
    handler = () => undefined; // hang
    const t0 = Date.now();
    await expectCode(rpc({ timeoutMs: 300 }).tip(), 'unreachable', /no answer within 300 ms/);
    assert.ok(Date.now() - t0 < 3000, `the timeout must bound the call (took ${Date.now() - t0} ms)`);
  });

  it('a refused connection -> unreachable', async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    await expectCode(new BitcoindRpc({ url: `http://127.0.0.1:${port}/`, password: 'p', timeoutMs: 1500 }).tip(), 'unreachable', /ECONNREFUSED/);
  });

  it("sendrawtransaction: bitcoind's refusal -> rejected with its reason; already known -> the txid", async () => {
    const { hex, txid } = someTxHex();
    // bitcoind answers RPC errors with HTTP 500 and the JSON-RPC error object.
    handler = (b, _q, res) => reply(res, 500, { id: b.id, result: null, error: { code: -26, message: 'non-final' } });
    const e = await expectCode(rpc().broadcast(hex), 'rejected', /non-final/);
    assert.equal(e.rpcCode, -26);
    handler = (b, _q, res) => reply(res, 500, { id: b.id, result: null, error: { code: -25, message: 'bad-txns-inputs-missingorspent' } });
    await expectCode(rpc().broadcast(hex), 'rejected', /bad-txns-inputs-missingorspent/);
    handler = (b, _q, res) => reply(res, 500, { id: b.id, result: null, error: { code: -27, message: 'Transaction outputs already in utxo set' } });
    assert.equal(await rpc().broadcast(hex), txid, 'already in the chain is success');
    handler = (b, _q, res) => reply(res, 500, { id: b.id, result: null, error: { code: -26, message: 'txn-already-in-mempool' } });
    assert.equal(await rpc().broadcast(hex), txid, 'already in the mempool is success');
    await expectCode(rpc().broadcast('00zz'), 'rejected', /not a transaction/);
  });

  it('warming up (-28) -> unreachable, even for a broadcast', async () => {
    handler = (b, _q, res) => reply(res, 500, { id: b.id, result: null, error: { code: -28, message: 'Loading block index...' } });
    await expectCode(rpc().broadcast(someTxHex().hex), 'unreachable', /warming up/);
  });

  it('getrawtransaction unknown (-5) -> null; gettxout parses BTC amounts exactly; estimatesmartfee converts BTC/kvB to sat/vB', async () => {
    handler = (b, _q, res) => reply(res, 500, { id: b.id, result: null, error: { code: -5, message: 'No such mempool or blockchain transaction. Use gettransaction for wallet transactions.' } });
    assert.equal(await rpc().txStatus('ef'.repeat(32)), null);
    handler = (b, _q, res) => reply(res, 200, { id: b.id, error: null, result: { confirmations: 3, blockhash: '01'.repeat(32) } });
    assert.deepEqual(await rpc().txStatus('ef'.repeat(32)), { confirmations: 3, blockHash: '01'.repeat(32) });
    handler = (b, _q, res) => reply(res, 200, { id: b.id, error: null, result: { confirmations: 0, value: 0.29, scriptPubKey: { hex: '0014' + '22'.repeat(20) } } });
    const out = await rpc().txOut('ef'.repeat(32), 1);
    assert.equal(out?.value, 29_000_000n, '0.29 BTC must be exactly 29,000,000 sat (float 0.29*1e8 is not)');
    handler = (b, _q, res) => reply(res, 200, { id: b.id, error: null, result: null });
    assert.equal(await rpc().txOut('ef'.repeat(32), 1), null);
    handler = (b, _q, res) => reply(res, 200, { id: b.id, error: null, result: { feerate: 0.00012345, blocks: 2 } });
    assert.equal(await rpc().feeRate(2), 13n, '12,345 sat/kvB rounds up to 13 sat/vB');
    handler = (b, _q, res) => reply(res, 200, { id: b.id, error: null, result: { errors: ['Insufficient data or no feerate found'], blocks: 2 } });
    assert.equal(await rpc().feeRate(2), null);
  });
});
