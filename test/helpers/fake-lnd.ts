// test/helpers/fake-lnd.ts - a local HTTPS server speaking LND's REST invoice API exactly (lookup GET /v1/invoice/{r_hash_str}, AddInvoice POST /v1/invoices issuing real signed regtest BOLT11 invoices; status codes, {code,message,details} errors, int64 fields as strings, bytes as base64), with a self-signed certificate made by openssl at test time.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import bolt11 from 'bolt11';
import secp256k1 from 'secp256k1';
import fs from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

/** A self-signed certificate for 127.0.0.1/localhost, written to a temp folder. */
export function makeSelfSignedCert(): { dir: string; certPath: string; keyPath: string; cert: Buffer; key: Buffer } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-lnd-'));
  const keyPath = path.join(dir, 'tls.key');
  const certPath = path.join(dir, 'tls.cert');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  return { dir, certPath, keyPath, cert: fs.readFileSync(certPath), key: fs.readFileSync(keyPath) };
}

/** One invoice as the fake keeps it. */
export interface FakeInvoice {
  memo: string;
  valueMsat: bigint;
  amtPaidMsat: bigint;
  state: 'OPEN' | 'SETTLED' | 'CANCELED' | 'ACCEPTED';
  /** The BOLT11 string (AddInvoice invoices); lookups of hand-inserted invoices answer a placeholder. */
  paymentRequest?: string;
  /** Hex SHA-256 the invoice commits to (tag `h`), when AddInvoice was given one. */
  descriptionHash?: string;
  expirySeconds?: number;
  /** Unix seconds of creation. */
  creationDate?: number;
}

/** bolt11's regtest network description (bech32 prefix `bcrt`). */
const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0] };

/** Largest AddInvoice body the fake reads (LND's gateway limit is far larger; requests are tiny). */
const MAX_BODY = 64 * 1024;

/** The fake LND: invoices by payment hash (hex), one accepted macaroon. */
export class FakeLnd {
  readonly invoices = new Map<string, FakeInvoice>();
  readonly macaroon = Buffer.from('0201036c6e6402f801030a10', 'hex');
  readonly tls = makeSelfSignedCert();
  /** Requests seen (paths), for asserting caching. */
  readonly requests: string[] = [];
  /** When true the server accepts requests but never answers (a hung LND). */
  hang = false;
  /** This Lightning node's signing key (hex) and id (compressed public key, hex): invoices are signed by it. */
  readonly nodePrivateKey = crypto.randomBytes(32).toString('hex');
  readonly nodeId = Buffer.from(secp256k1.publicKeyCreate(Buffer.from(this.nodePrivateKey, 'hex'), true)).toString('hex');
  private addIndex = 0;
  private server: https.Server | null = null;
  private readonly hung = new Set<ServerResponse>();

  /** "127.0.0.1:port" after start(). */
  get restHost(): string {
    return `127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    const server = https.createServer({ cert: this.tls.cert, key: this.tls.key }, (req, res) => {
      this.requests.push(req.url ?? '');
      if (this.hang) {
        this.hung.add(res);
        return;
      }
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      // grpc-gateway: a macaroon that does not verify is gRPC code 2 (UNKNOWN), HTTP 500.
      if (req.headers['grpc-metadata-macaroon'] !== this.macaroon.toString('hex')) {
        send(500, { code: 2, message: 'verification failed: signature mismatch after caveat verification', details: [] });
        return;
      }
      if (req.method === 'POST' && req.url === '/v1/invoices') {
        this.addInvoice(req, send);
        return;
      }
      const m = /^\/v1\/invoice\/([0-9a-fA-F]*)$/.exec(req.url ?? '');
      if (req.method !== 'GET' || !m) {
        send(404, { code: 5, message: 'Not Found', details: [] });
        return;
      }
      const hash = (m[1] as string).toLowerCase();
      const inv = this.invoices.get(hash);
      if (!inv) {
        send(404, { code: 5, message: 'unable to locate invoice', details: [] });
        return;
      }
      send(200, {
        memo: inv.memo,
        r_preimage: Buffer.alloc(32, 7).toString('base64'),
        r_hash: Buffer.from(hash, 'hex').toString('base64'),
        value: String(inv.valueMsat / 1000n),
        value_msat: String(inv.valueMsat),
        settled: inv.state === 'SETTLED',
        creation_date: String(inv.creationDate ?? 1700000000),
        settle_date: inv.state === 'SETTLED' ? String((inv.creationDate ?? 1700000000) + 100) : '0',
        payment_request: inv.paymentRequest ?? 'lnbcrt1fake',
        description_hash: inv.descriptionHash ? Buffer.from(inv.descriptionHash, 'hex').toString('base64') : '',
        expiry: String(inv.expirySeconds ?? 86400),
        cltv_expiry: '80',
        private: false,
        add_index: '1',
        settle_index: inv.state === 'SETTLED' ? '1' : '0',
        amt_paid: String(inv.amtPaidMsat),
        amt_paid_sat: String(inv.amtPaidMsat / 1000n),
        amt_paid_msat: String(inv.amtPaidMsat),
        state: inv.state,
        htlcs: [],
        features: {},
        is_keysend: false,
        payment_addr: Buffer.alloc(32, 1).toString('base64'),
        is_amp: false,
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
  }

  /** Mark an invoice paid (what the payer's Lightning payment does); `amtPaidMsat` defaults to its value. */
  settle(paymentHashHex: string, amtPaidMsat?: bigint): void {
    const inv = this.invoices.get(paymentHashHex);
    if (!inv) throw new Error(`fake LND holds no invoice ${paymentHashHex}`);
    inv.state = 'SETTLED';
    inv.amtPaidMsat = amtPaidMsat ?? inv.valueMsat;
  }

  /** Requests made to AddInvoice so far. */
  get addInvoiceCalls(): number {
    return this.requests.filter((r) => r === '/v1/invoices').length;
  }

  /** LND's AddInvoice: JSON body {memo?, value_msat|value, description_hash? (base64), expiry?}; answers {r_hash, payment_request, add_index, payment_addr}. */
  private addInvoice(req: IncomingMessage, send: (status: number, body: unknown) => void): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY) return send(400, { code: 3, message: 'request body too large', details: [] });
      let b: Record<string, unknown>;
      try {
        b = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return send(400, { code: 3, message: 'invalid character in request body', details: [] });
      }
      const msat = b.value_msat !== undefined ? BigInt(String(b.value_msat)) : BigInt(String(b.value ?? '0')) * 1000n;
      const memo = typeof b.memo === 'string' ? b.memo : '';
      const dh = typeof b.description_hash === 'string' && b.description_hash !== '' ? Buffer.from(b.description_hash, 'base64') : null;
      if (dh && dh.length !== 32) return send(500, { code: 2, message: 'description hash is 32 bytes', details: [] });
      const expiry = b.expiry !== undefined ? Number(b.expiry) : 86400;
      const preimage = crypto.randomBytes(32);
      const hash = crypto.createHash('sha256').update(preimage).digest();
      const creationDate = Math.floor(Date.now() / 1000);
      const tags: { tagName: string; data: unknown }[] = [
        { tagName: 'payment_hash', data: hash.toString('hex') },
        { tagName: 'payment_secret', data: crypto.randomBytes(32).toString('hex') },
        { tagName: 'expire_time', data: expiry },
        dh ? { tagName: 'purpose_commit_hash', data: dh.toString('hex') } : { tagName: 'description', data: memo },
      ];
      const unsigned = bolt11.encode({ network: REGTEST, millisatoshis: msat.toString(), timestamp: creationDate, tags } as Parameters<typeof bolt11.encode>[0]);
      const paymentRequest = bolt11.sign(unsigned, this.nodePrivateKey).paymentRequest as string;
      const key = hash.toString('hex');
      this.invoices.set(key, { memo, valueMsat: msat, amtPaidMsat: 0n, state: 'OPEN', paymentRequest, descriptionHash: dh?.toString('hex'), expirySeconds: expiry, creationDate });
      this.addIndex += 1;
      send(200, { r_hash: hash.toString('base64'), payment_request: paymentRequest, add_index: String(this.addIndex), payment_addr: crypto.randomBytes(32).toString('base64') });
    });
  }

  async stop(): Promise<void> {
    for (const r of this.hung) r.destroy();
    const s = this.server;
    this.server = null;
    if (s) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  }

  cleanup(): void {
    fs.rmSync(this.tls.dir, { recursive: true, force: true });
  }
}
