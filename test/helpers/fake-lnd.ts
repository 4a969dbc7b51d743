// test/helpers/fake-lnd.ts - a local HTTPS server speaking LND's REST invoice lookup exactly (status codes, {code,message,details} errors, int64 fields as strings), with a self-signed certificate made by openssl at test time.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { ServerResponse } from 'node:http';
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
}

/** The fake LND: invoices by payment hash (hex), one accepted macaroon. */
export class FakeLnd {
  readonly invoices = new Map<string, FakeInvoice>();
  readonly macaroon = Buffer.from('0201036c6e6402f801030a10', 'hex');
  readonly tls = makeSelfSignedCert();
  /** Requests seen (paths), for asserting caching. */
  readonly requests: string[] = [];
  /** When true the server accepts requests but never answers (a hung LND). */
  hang = false;
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
        creation_date: '1700000000',
        settle_date: inv.state === 'SETTLED' ? '1700000100' : '0',
        payment_request: 'lnbcrt1fake',
        expiry: '86400',
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
