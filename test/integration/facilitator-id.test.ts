// test/integration/facilitator-id.test.ts - GET /id on real nodes: the facilitator's own website manifest is fetched at start in the background and shown verified, not verified (signed by another key) or not verified with the node still serving (website down); answers match the spec's FacilitatorId schema.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Manifest } from '../../src/identity/manifest.ts';
import type { MegaNode } from '../../src/node.ts';
import { signObject } from '../../src/protocol/sign.ts';
import { makeKeys, type KeyPair } from '../helpers/factory.ts';
import { createTestNode, freePort, get, stopAll, waitFor } from '../helpers/network.ts';

const K = makeKeys(811);
const OTHER = makeKeys(812);
const REWARD = 'bcrt1qh6twm3strmqu08ky6ahyfaaf36823sesl4fccc';

function manifest(signer: KeyPair): Manifest {
  const m = { domain: 'localhost', pubkey: K.publicKey, signatureType: 'ecdsa-secp256k1' as const };
  return { ...m, signature: signObject(m, 'signature', signer.privateKey) };
}

describe('GET /id: the facilitator identity and its own website manifest', () => {
  const nodes: MegaNode[] = [];
  let site: http.Server;
  let base = '';
  const served: string[] = [];

  before(async () => {
    const pages = new Map([
      ['/good.json', JSON.stringify(manifest(K))],
      ['/other-key.json', JSON.stringify(manifest(OTHER))],
    ]);
    site = http.createServer((req, res) => {
      served.push(req.url ?? '');
      const body = pages.get(req.url ?? '');
      if (body === undefined) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    base = `http://localhost:${(site.address() as AddressInfo).port}`;
  });

  after(async () => {
    await stopAll(nodes);
    site.closeAllConnections();
    await new Promise<void>((resolve) => site.close(() => resolve()));
  });

  async function start(manifestUri: string): Promise<MegaNode> {
    const node = await createTestNode({ facilitatorId: { manifestUri, pubkey: K.publicKey, rewardAddress: REWARD } });
    nodes.push(node);
    return node;
  }

  async function idOf(node: MegaNode): Promise<Record<string, unknown>> {
    const { status, body } = await get(node, '/id');
    assert.equal(status, 200);
    const valid = node.schemas.component('FacilitatorId');
    assert.equal(valid(body), true, JSON.stringify(valid.errors));
    return body as Record<string, unknown>;
  }

  it('a manifest naming the key, signed by it, for the host it is served from: verified', async () => {
    const node = await start(`${base}/good.json`);
    await waitFor(async () => (await idOf(node)).manifestVerified === true, { message: 'GET /id verified' });
    const id = await idOf(node);
    assert.match(id.manifestCheckedAt as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(id, {
      manifestUri: `${base}/good.json`,
      pubkey: K.publicKey,
      rewardAddress: REWARD,
      manifestVerified: true,
      manifestDomain: 'localhost',
      manifestCheckedAt: id.manifestCheckedAt,
    });
    assert.equal(served.includes('/good.json'), true, "expected served to include '/good.json'");
  });

  it('a manifest naming the key but signed by another: not verified, with the reason', async () => {
    const node = await start(`${base}/other-key.json`);
    await waitFor(async () => (await idOf(node)).manifestVerified === false, { message: 'GET /id not verified' });
    const id = await idOf(node);
    assert.equal(id.manifestDomain, null);
    assert.equal(id.manifestError, 'manifest signature does not verify against the facilitator pubkey');
  });

  it('a website that is down does not stop the node: it serves, and GET /id says why the manifest is not verified', async () => {
    const node = await start(`http://localhost:${await freePort()}/m.json`);
    assert.equal((await get(node, '/health')).status, 200);
    await waitFor(async () => (await idOf(node)).manifestVerified === false, { message: 'GET /id not verified' });
    assert.match((await idOf(node)).manifestError as string, /ECONNREFUSED/);
  });

  it('without a manifestUri GET /id is the configured identity as is', async () => {
    const node = await createTestNode({ facilitatorId: { rewardAddress: REWARD } });
    nodes.push(node);
    assert.deepEqual(await idOf(node), { rewardAddress: REWARD });
  });
});
