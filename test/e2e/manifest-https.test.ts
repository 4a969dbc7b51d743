/** test/e2e/manifest-https.test.ts - website manifests over real https, TLS verification on: the spawned daemon trusts a local self-signed site only through NODE_EXTRA_CA_CERTS; a served manifest verifies (oracle ad and the facilitator's own GET /id), a removed one un-verifies at the next re-check, and without the CA it never verifies. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Manifest } from '../../src/identity/manifest.ts';
import { signObject } from '../../src/protocol/sign.ts';
import { makeKeys, makeOracle, type KeyPair } from '../helpers/factory.ts';
import { makeSelfSignedCert } from '../helpers/fake-lnd.ts';
import { postJson, startDaemon, stopDaemon, type Daemon } from '../helpers/daemon.ts';
import { removeDir, tempDir, writeJson } from '../unit/cli/run-cli.ts';
import { waitFor } from '../helpers/wait.ts';

/** How long the daemon may take to exit after SIGTERM. */
const STOP_DEADLINE_MS = 5000;
/** manifestRecheckIntervalMs of the daemons: small, so a vanished manifest is noticed quickly. */
const RECHECK_MS = 300;

const ORACLE = makeKeys(821);
const FACILITATOR = makeKeys(822);
const REWARD = 'bcrt1qh6twm3strmqu08ky6ahyfaaf36823sesl4fccc';

function manifestOf(keys: KeyPair): Manifest {
  const m = { domain: 'localhost', pubkey: keys.publicKey, signatureType: 'ecdsa-secp256k1' as const };
  return { ...m, signature: signObject(m, 'signature', keys.privateKey) };
}

/** A local https site (self-signed, SAN localhost/127.0.0.1) serving JSON pages; counts TCP connections. */
class Site {
  readonly pages = new Map<string, string>();
  connections = 0;
  readonly requests: string[] = [];
  private server: https.Server | null = null;
  constructor(private readonly tls: { cert: Buffer; key: Buffer }) {}
  get port(): number {
    return (this.server?.address() as AddressInfo).port;
  }
  url(p: string): string {
    return `https://localhost:${this.port}${p}`;
  }
  async start(): Promise<void> {
    const server = https.createServer({ cert: this.tls.cert, key: this.tls.key }, (req, res) => {
      this.requests.push(req.url ?? '');
      const body = this.pages.get(req.url ?? '');
      if (body === undefined) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    server.on('connection', () => this.connections++);
    server.on('tlsClientError', () => undefined); // an untrusting client aborts the handshake: expected here
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
  }
  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

async function getJson(url: string): Promise<Record<string, unknown>> {
  const res = await fetch(url);
  assert.equal(res.status, 200, url);
  return (await res.json()) as Record<string, unknown>;
}

let dir: string;
let tls: ReturnType<typeof makeSelfSignedCert>;

before(() => {
  dir = tempDir('mega-https-');
  tls = makeSelfSignedCert();
});

after(() => {
  removeDir(dir);
  removeDir(tls.dir);
});

/** A test daemon config: loopback, regtest, isTest (the site is on loopback), fast re-checks; TLS verification is never switched off. */
function config(name: string, extra: Record<string, unknown> = {}): string {
  return writeJson(dir, name, {
    httpPort: 0,
    p2pPort: 0,
    listenAddress: '127.0.0.1',
    network: 'regtest',
    isTest: true,
    dataDir: null,
    logLevel: 'info',
    manifestRecheckIntervalMs: RECHECK_MS,
    ...extra,
  });
}

/**
 * Start `site` with the oracle's and the facilitator's signed manifests, then a daemon whose
 * facilitatorId points at the site; `caCertPath` (or null) becomes its NODE_EXTRA_CA_CERTS.
 */
async function startWithSite(site: Site, cfgName: string, caCertPath: string | null): Promise<Daemon> {
  await site.start();
  site.pages.set('/oracle.json', JSON.stringify(manifestOf(ORACLE)));
  site.pages.set('/.well-known/mega.json', JSON.stringify(manifestOf(FACILITATOR)));
  const cfg = config(cfgName, { facilitatorId: { manifestUri: site.url('/.well-known/mega.json'), pubkey: FACILITATOR.publicKey, rewardAddress: REWARD } });
  return startDaemon(cfg, caCertPath ? { NODE_EXTRA_CA_CERTS: caCertPath } : {});
}

describe('manifests over https with the site\'s certificate trusted (NODE_EXTRA_CA_CERTS)', () => {
  const site = new Site(tls);
  let d: Daemon | undefined;

  before(async () => {
    d = await startWithSite(site, 'trusted.json', tls.certPath);
  });

  after(async () => {
    await stopDaemon(d, STOP_DEADLINE_MS);
    await site.stop();
  });

  test('an oracle ad\'s https manifest verifies, shows its domain, and un-verifies after the re-check once the site answers 404', async () => {
    const daemon = d as Daemon;
    const ad = makeOracle({ keys: ORACLE, manifestUri: site.url('/oracle.json') });
    assert.equal(await postJson(daemon.base, 'oracle', ad), 201);
    const details = () => getJson(`${daemon.base}/oracles/${ORACLE.publicKey}`);
    await waitFor(async () => (await details()).manifestVerified === true, { message: 'the oracle manifest to verify over https', timeoutMs: 10_000 });
    assert.equal((await details()).manifestDomain, 'localhost');
    const listed = (await (await fetch(`${daemon.base}/oracles?manifestVerified=true`)).json()) as { id: string }[];
    assert.deepEqual(listed.map((o) => o.id), [ORACLE.publicKey]);
    assert.equal(site.requests.includes('/oracle.json'), true, "expected site.requests to include '/oracle.json'");

    site.pages.delete('/oracle.json');
    await waitFor(async () => (await details()).manifestVerified === false, { message: 'the vanished manifest to un-verify at a re-check', timeoutMs: 10_000 });
    const after404 = await details();
    assert.equal(after404.manifestDomain, null);
    assert.equal(after404.manifestReason, 'manifest answered 404');
  });

  test('the facilitator\'s own https manifest is verified at start and shown by GET /id', async () => {
    const daemon = d as Daemon;
    await waitFor(async () => (await getJson(`${daemon.base}/id`)).manifestVerified === true, { message: 'GET /id to show the verified manifest', timeoutMs: 10_000 });
    const id = await getJson(`${daemon.base}/id`);
    assert.deepEqual(
      { ...id, manifestCheckedAt: typeof id.manifestCheckedAt },
      {
        manifestUri: site.url('/.well-known/mega.json'),
        pubkey: FACILITATOR.publicKey,
        rewardAddress: REWARD,
        manifestVerified: true,
        manifestDomain: 'localhost',
        manifestCheckedAt: 'string',
      },
    );
  });
});

describe('manifests over https with the site\'s certificate NOT trusted', () => {
  const site = new Site(tls);
  let d: Daemon | undefined;

  before(async () => {
    d = await startWithSite(site, 'untrusted.json', null);
  });

  after(async () => {
    await stopDaemon(d, STOP_DEADLINE_MS);
    await site.stop();
  });

  test('a correctly signed manifest stays unverified across re-checks: TLS verification is on, the node never reads the page', async () => {
    const daemon = d as Daemon;
    const ad = makeOracle({ keys: ORACLE, manifestUri: site.url('/oracle.json') });
    assert.equal(await postJson(daemon.base, 'oracle', ad), 201);
    const details = () => getJson(`${daemon.base}/oracles/${ORACLE.publicKey}`);
    await waitFor(async () => /certificate/.test(String((await details()).manifestReason)), { message: 'the first check to fail on the certificate', timeoutMs: 10_000 });
    // Several re-checks later (each opens a connection to the site) it is still unverified.
    const seen = site.connections;
    await waitFor(() => site.connections >= seen + 4, { message: 'a few re-checks to reach the site', timeoutMs: 10_000 });
    const now = await details();
    assert.equal(now.manifestVerified, false, 'expected now.manifestVerified to be false');
    assert.equal(now.manifestDomain, null);
    assert.match(String(now.manifestReason), /self-signed certificate/);
    // No HTTP request ever got through the failed handshakes.
    assert.deepEqual(site.requests, []);
    // The facilitator's own manifest fails the same way, and the node keeps serving.
    const id = await getJson(`${daemon.base}/id`);
    assert.equal(id.manifestVerified, false, 'expected id.manifestVerified to be false');
    assert.match(String(id.manifestError), /self-signed certificate/);
    assert.match(daemon.log(), /"msg":"facilitator manifest does not verify/);
  });
});
