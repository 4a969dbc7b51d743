// test/integration/fact-requests-second-node.test.ts - issue #17 done-criterion "a trader's request through a SECOND node returns a verified fact": the oracle's real fact server (PROTOCOL 10.8) sits behind node A (its ads posted to A only); node B learned the capability by gossip alone; a trader asking B from its own loopback address (127.0.0.2) gets a fact that verifies, B alone calls the oracle (A makes no upstream call), the oracle's access log holds only the nodes' address, never the trader's, and a repeat is served from B's cache.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { MegaNode } from '../../src/node.ts';
import { KeyFileSigner } from '../../src/oracle/signer.ts';
import { startFactServer, type FactServer } from '../../src/oracle-facts/fact-server.ts';
import { makeCapability, makeKeys, makeOracle } from '../helpers/factory.ts';
import { connect, createTestNode, hasItem, post, stopAll, waitFor } from '../helpers/network.ts';
import { assertFactVerifies, silentLog } from '../unit/oracle-facts/_helpers.ts';

/** The trader's own source address: any 127.x.y.z reaches lo on Linux, so the oracle can tell it from the nodes' 127.0.0.1. */
const TRADER_ADDRESS = '127.0.0.2';

/**
 * The oracle host's access log: a TCP front that records the source address of every connection and
 * pipes it to the real fact server (what the oracle's machine sees, whatever the HTTP layer says).
 */
class AccessLog {
  readonly entries: string[] = [];
  private server: net.Server | null = null;
  constructor(private readonly upstreamPort: number) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as net.AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.server = net.createServer((client) => {
      this.entries.push(client.remoteAddress ?? '?');
      const up = net.connect({ host: '127.0.0.1', port: this.upstreamPort });
      client.pipe(up).pipe(client);
      const close = (): void => {
        client.destroy();
        up.destroy();
      };
      client.on('error', close);
      up.on('error', close);
      client.on('close', close);
      up.on('close', close);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

/** POST JSON to `node` from `localAddress` (the trader's machine). */
function askFrom(localAddress: string, node: MegaNode, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: node.httpPort, path: '/fact-requests', method: 'POST', localAddress, agent: false, headers: { 'content-type': 'application/json', 'content-length': payload.length, 'user-agent': 'trader-secret-agent' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('a fact request through a second node (issue #17)', () => {
  const oracleKeys = makeKeys(9701);
  const capKeys = makeKeys(9702);
  let a: MegaNode;
  let b: MegaNode;
  let server: FactServer;
  let access: AccessLog;

  before(async () => {
    const entry = { signer: KeyFileSigner.fromHex(capKeys.privateKey), params: [{ name: 'city', values: [] }], resolve: async () => '21 C' };
    server = await startFactServer({ host: '127.0.0.1', port: 0, capabilities: new Map([[capKeys.publicKey, entry]]), limits: { maxBodyBytes: 16384, ratePerMinutePerClient: 0, maxConcurrent: 4, resolveTimeoutMs: 1000 }, log: silentLog });
    access = new AccessLog(Number(new URL(server.url).port));
    await access.start();
    a = await createTestNode({ targetOutbound: 0 }, 'fact-a');
    b = await createTestNode({ targetOutbound: 0 }, 'fact-b');
    await connect(b, a);
    // The oracle's ads reach node A only; B learns them by gossip.
    assert.equal((await post(a, '/oracle', makeOracle({ keys: oracleKeys }))).status, 201, 'expected the oracle ad admitted by A');
    const cap = makeCapability({ oracleKeys, capKeys, question: 'Temperature in {city}?', params: [{ name: 'city', values: [] }], endpoint: access.url, factLifetime: 3600 });
    assert.equal((await post(a, '/capability', cap)).status, 201, 'expected the capability admitted by A');
    await waitFor(() => hasItem(b, 'capability', oracleKeys.publicKey + capKeys.publicKey), { message: 'node B learned the capability by gossip' });
  });

  after(async () => {
    await stopAll([a, b]);
    await access.stop();
    await server.close();
  });

  it('returns a verified fact; the oracle sees node B only, never the trader; a repeat comes from B\'s cache', async () => {
    const request = { capabilityPubKey: capKeys.publicKey, arguments: { city: 'Lisbon' } };
    const aCalls = a.facts.proxy.upstreamCalls;
    const r = await askFrom(TRADER_ADDRESS, b, { oraclePubKey: oracleKeys.publicKey, request });
    assert.equal(r.status, 200, `expected 200 with a fact, got ${r.status} ${JSON.stringify(r.body)}`);
    assertFactVerifies(r.body.fact, request, '21 C');
    assert.equal(r.body.cached, false, 'expected the first answer fetched from the oracle');
    assert.equal(b.facts.proxy.upstreamCalls, 1, 'expected node B to make the one upstream call');
    assert.equal(a.facts.proxy.upstreamCalls, aCalls, 'expected node A (where the oracle posted its ads) not involved');
    assert.deepEqual(access.entries, ['127.0.0.1'], `expected one connection at the oracle, from the nodes' address; access log: ${JSON.stringify(access.entries)}`);
    assert.equal(access.entries.includes(TRADER_ADDRESS), false, 'expected the trader\'s address never at the oracle');

    const again = await askFrom(TRADER_ADDRESS, b, { oraclePubKey: oracleKeys.publicKey, request });
    assert.equal(again.status, 200, `expected the repeat answered, got ${again.status}`);
    assert.equal(again.body.cached, true, 'expected the repeat served from B\'s cache');
    assertFactVerifies(again.body.fact, request, '21 C');
    assert.equal(access.entries.length, 1, `expected no second connection at the oracle; access log: ${JSON.stringify(access.entries)}`);
  });
});
