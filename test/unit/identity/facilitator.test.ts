// test/unit/identity/facilitator.test.ts - the facilitator's own manifest (GET /id): null before the first check, verified or not with the reason, a warning per failed check, re-checks that un-verify, joined checks, and no fetch without a manifestUri.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FacilitatorIdentity, type FacilitatorIdInit } from '../../../src/identity/facilitator.ts';
import type { FetchResult, Manifest, ManifestFetchOptions } from '../../../src/identity/manifest.ts';
import { signObject } from '../../../src/protocol/sign.ts';
import { makeKeys, type KeyPair } from '../../helpers/factory.ts';
import { waitFor } from '../../helpers/network.ts';
import { recordingLog } from './_log.ts';

const K = makeKeys(801);
const OTHER = makeKeys(802);
const URI = 'https://facilitator.example/.well-known/mega.json';
const ID: FacilitatorIdInit = { manifestUri: URI, pubkey: K.publicKey, rewardAddress: 'bcrt1qh6twm3strmqu08ky6ahyfaaf36823sesl4fccc' };
const OPTS = { isTest: false, timeoutMs: 1000, maxBytes: 4096, recheckIntervalMs: 60_000 };
const NOW = Date.UTC(2030, 0, 2, 3, 4, 5);

function manifest(keys: KeyPair, pubkey = K.publicKey, domain = 'facilitator.example'): Manifest {
  const m = { domain, pubkey, signatureType: 'ecdsa-secp256k1' as const };
  return { ...m, signature: signObject(m, 'signature', keys.privateKey) };
}

/** A fetch answering `answer()` each time, counting calls; `gate` holds answers until released. */
function fakeFetch(answer: () => FetchResult) {
  const calls: { uri: string; opts: ManifestFetchOptions }[] = [];
  let release: (() => void) | null = null;
  let gate: Promise<void> | null = null;
  return {
    calls,
    hold(): void {
      gate = new Promise((resolve) => (release = resolve));
    },
    release(): void {
      release?.();
      gate = null;
    },
    fetch: async (uri: string, opts: ManifestFetchOptions): Promise<FetchResult> => {
      calls.push({ uri, opts });
      if (gate) await gate;
      return answer();
    },
  };
}

describe('FacilitatorIdentity', () => {
  it('without facilitatorId GET /id is null; without manifestUri it is the config as is and nothing is fetched', async () => {
    const f = fakeFetch(() => ({ ok: false, reason: 'unused' }));
    const none = new FacilitatorIdentity(null, OPTS, { log: recordingLog().log, now: () => NOW, fetch: f.fetch });
    none.start();
    assert.equal(none.view(), null);
    const plain = new FacilitatorIdentity({ rewardAddress: ID.rewardAddress as string }, OPTS, { log: recordingLog().log, now: () => NOW, fetch: f.fetch });
    plain.start();
    await plain.check();
    assert.deepEqual(plain.view(), { rewardAddress: ID.rewardAddress });
    assert.equal(f.calls.length, 0);
    none.stop();
    plain.stop();
  });

  it('shows null until the first check finishes, then verified with the domain and when it was checked', async () => {
    const f = fakeFetch(() => ({ ok: true, body: manifest(K), host: 'Facilitator.Example' }));
    const { log, lines } = recordingLog();
    const id = new FacilitatorIdentity(ID, OPTS, { log, now: () => NOW, fetch: f.fetch });
    f.hold();
    id.start();
    assert.deepEqual(id.view(), { ...ID, manifestVerified: null, manifestDomain: null });
    // A second check while one is in flight joins it instead of fetching twice.
    const joined = id.check();
    f.release();
    await joined;
    assert.equal(f.calls.length, 1);
    assert.deepEqual(f.calls[0], { uri: URI, opts: OPTS });
    assert.deepEqual(id.view(), { ...ID, manifestVerified: true, manifestDomain: 'facilitator.example', manifestCheckedAt: new Date(NOW).toISOString() });
    assert.deepEqual(lines.map((l) => l.level), ['info']);
    id.stop();
  });

  const failures: [string, () => FetchResult, string][] = [
    ['signed by another key', () => ({ ok: true, body: manifest(OTHER), host: 'facilitator.example' }), 'manifest signature does not verify against the facilitator pubkey'],
    ['naming another key', () => ({ ok: true, body: manifest(OTHER, OTHER.publicKey), host: 'facilitator.example' }), 'manifest pubkey is not this facilitator'],
    ['served from another host', () => ({ ok: true, body: manifest(K), host: 'evil.example' }), 'manifest domain "facilitator.example" is not the host it was fetched from'],
    ['from a website that is down', () => ({ ok: false, reason: 'connect ECONNREFUSED 203.0.113.7:443' }), 'connect ECONNREFUSED 203.0.113.7:443'],
  ];
  for (const [name, answer, reason] of failures) {
    it(`a manifest ${name} is not verified, with the reason, and logs a warning`, async () => {
      const f = fakeFetch(answer);
      const { log, lines } = recordingLog();
      const id = new FacilitatorIdentity(ID, OPTS, { log, now: () => NOW, fetch: f.fetch });
      id.start();
      await id.check();
      assert.deepEqual(id.view(), { ...ID, manifestVerified: false, manifestDomain: null, manifestCheckedAt: new Date(NOW).toISOString(), manifestError: reason });
      assert.deepEqual(lines.map((l) => [l.level, l.obj.reason]), [['warn', reason]]);
      id.stop();
    });
  }

  it('a fetch that throws counts as a failed check (never an unhandled rejection)', async () => {
    const { log, lines } = recordingLog();
    const id = new FacilitatorIdentity(ID, OPTS, { log, now: () => NOW, fetch: () => Promise.reject(new Error('boom')) });
    id.start();
    await id.check();
    assert.equal(id.view()?.manifestVerified, false, 'expected id.view()?.manifestVerified to be false');
    assert.equal(id.view()?.manifestError, 'boom');
    assert.equal(lines[0]?.level, 'warn');
    id.stop();
  });

  it('re-checks periodically: a manifest that disappears un-verifies, and one that comes back verifies again', async () => {
    let serving = true;
    const f = fakeFetch(() => (serving ? { ok: true, body: manifest(K), host: 'facilitator.example' } : { ok: false, reason: 'manifest answered 404' }));
    const id = new FacilitatorIdentity(ID, { ...OPTS, recheckIntervalMs: 100 }, { log: recordingLog().log, now: () => NOW, fetch: f.fetch });
    id.start();
    await waitFor(() => id.view()?.manifestVerified === true, { message: 'first check verified' });
    serving = false;
    await waitFor(() => id.view()?.manifestVerified === false, { message: 're-check un-verified' });
    assert.equal(id.view()?.manifestError, 'manifest answered 404');
    serving = true;
    await waitFor(() => id.view()?.manifestVerified === true, { message: 're-check verified again' });
    id.stop();
    // After stop nothing more is fetched.
    const calls = f.calls.length;
    await id.check();
    assert.equal(f.calls.length, calls);
  });
});
