/** test/unit/service/orphans.test.ts - service/orphans.ts on a fake clock: which refusals make an orphan and under which dependency key, take() returns and removes them, 1000 dependency keys, 50 per key, 16 MiB in total (and 1 MiB per orphan), 60 s TTL, and room freed by take and expiry. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OrphanPool } from '../../../src/service/orphans.ts';
import type { AdmissionSource } from '../../../src/service/types.ts';
import { FakeClock } from '../../helpers/factory.ts';

const src: AdmissionSource = { id: 'p2p:test' };
const ORACLE = '02' + 'a'.repeat(64);
const CAP = '03' + 'b'.repeat(64);
const REPORT_ID = 'c'.repeat(64);
/** Limits of service/orphans.ts (module-private there; the docs name them: 50 per key, 16 MiB, 60 s). */
const PER_KEY = 50;
const MAX_KEYS = 1_000;
const TOTAL_BYTES = 16 * 1024 * 1024;
const TTL_MS = 60_000;

/** A capability-shaped payload of `oraclePubKey` padded to about `bytes` of JSON. */
function capOf(oraclePubKey: string, n: number, bytes = 100): Record<string, unknown> {
  const base = { oraclePubKey, capabilityPubKey: CAP, question: `q${n}`, pad: '' };
  return { ...base, pad: 'x'.repeat(Math.max(0, bytes - JSON.stringify(base).length)) };
}

/** Vids of the orphans take() returns. */
const vids = (pool: OrphanPool, kind: 'oracle' | 'capability' | 'report', id: string): string[] => pool.take(kind, id).map((o) => o.vid);

describe('orphans: which refusals wait, and for what', () => {
  it('a DLC proof report waits for its content.capabilityPubKey, a fact-missing naming an announcement for that announcement', () => {
    const pool = new OrphanPool(new FakeClock().now);
    const proof = { oraclePubKey: ORACLE, content: { type: 'dlc-equivocation', capabilityPubKey: CAP, announcement: 'aa', attestations: ['bb', 'cc'] } };
    pool.keep('report', proof, 'unknown-capability', src, 'v-proof');
    const missing = { oraclePubKey: ORACLE, content: { type: 'fact-missing', request: { capabilityPubKey: CAP, arguments: {} }, announcementId: REPORT_ID } };
    pool.keep('report', missing, 'announcement-not-found', src, 'v-missing');
    assert.deepEqual(vids(pool, 'capability', ORACLE + CAP), ['v-proof'], 'expected the DLC proof waiting on capability:<oracle><content.capabilityPubKey>');
    assert.deepEqual(pool.take('announcement', REPORT_ID).map((o) => o.vid), ['v-missing'], 'expected the fact-missing waiting on announcement:<content.announcementId>');
  });

  it('unknown-oracle waits for the oracle, unknown-capability for the capability, report-not-found for the report', () => {
    const pool = new OrphanPool(new FakeClock().now);
    pool.keep('capability', capOf(ORACLE, 1), 'unknown-oracle', src, 'v-cap');
    const report = { oraclePubKey: ORACLE, content: { type: 'fact-missing', request: { capabilityPubKey: CAP, arguments: {} } } };
    pool.keep('report', report, 'unknown-capability', src, 'v-report');
    const dispute = { reportId: REPORT_ID, oraclePubKey: ORACLE, fact: { request: { capabilityPubKey: CAP } } };
    pool.keep('dispute', dispute, 'report-not-found', src, 'v-dispute');
    pool.keep('dispute', dispute, 'unknown-capability', src, 'v-dispute-cap');
    assert.deepEqual(vids(pool, 'oracle', ORACLE), ['v-cap'], 'expected the capability waiting on oracle:<pubkey>');
    assert.deepEqual(vids(pool, 'capability', ORACLE + CAP), ['v-report', 'v-dispute-cap'], "expected report and dispute waiting on capability:<oracle><cap> (a dispute's cap from its fact)");
    assert.deepEqual(vids(pool, 'report', REPORT_ID), ['v-dispute'], 'expected the dispute waiting on report:<id>');
  });

  it('other refusals and malformed payloads are not kept', () => {
    const pool = new OrphanPool(new FakeClock().now);
    pool.keep('capability', capOf(ORACLE, 1), 'signature-invalid', src, 'v1');
    pool.keep('capability', capOf(ORACLE, 2), 'rank-too-low', src, 'v2');
    pool.keep('capability', { oraclePubKey: 42 }, 'unknown-oracle', src, 'v3');
    pool.keep('capability', null, 'unknown-oracle', src, 'v4');
    pool.keep('report', { oraclePubKey: ORACLE, content: {} }, 'unknown-capability', src, 'v5');
    assert.deepEqual(vids(pool, 'oracle', ORACLE), [], 'expected nothing kept for a final refusal or a malformed dependency');
    assert.deepEqual(vids(pool, 'capability', ORACLE + CAP), [], 'expected no capability key from a report without a request');
  });

  it('take returns the orphans in arrival order, with kind, payload and source, and removes them', () => {
    const pool = new OrphanPool(new FakeClock().now);
    const p1 = capOf(ORACLE, 1);
    const p2 = capOf(ORACLE, 2);
    pool.keep('capability', p1, 'unknown-oracle', src, 'v1');
    pool.keep('capability', p2, 'unknown-oracle', src, 'v2');
    const got = pool.take('oracle', ORACLE);
    assert.deepEqual(
      got.map((o) => [o.kind, o.payload, o.source, o.vid]),
      [
        ['capability', p1, src, 'v1'],
        ['capability', p2, src, 'v2'],
      ],
      'expected both orphans as kept, first in first out',
    );
    assert.equal(got[0]?.size, JSON.stringify(p1).length, 'expected size = JSON length');
    assert.deepEqual(pool.take('oracle', ORACLE), [], 'expected a second take to find nothing');
    assert.deepEqual(pool.take('oracle', '02' + 'f'.repeat(64)), [], 'expected nothing for another oracle');
  });
});

describe('orphans: bounds', () => {
  it(`keeps at most ${PER_KEY} orphans per dependency (the first ones)`, () => {
    const pool = new OrphanPool(new FakeClock().now);
    for (let i = 0; i < PER_KEY + 10; i++) pool.keep('capability', capOf(ORACLE, i), 'unknown-oracle', src, `v${i}`);
    const other = '02' + 'd'.repeat(64);
    pool.keep('capability', capOf(other, 0), 'unknown-oracle', src, 'other');
    const got = vids(pool, 'oracle', ORACLE);
    assert.equal(got.length, PER_KEY, `expected ${PER_KEY} kept, got ${got.length}`);
    assert.equal(got.at(-1), `v${PER_KEY - 1}`, 'expected the first 50 kept and later ones dropped');
    assert.deepEqual(vids(pool, 'oracle', other), ['other'], 'expected a full key not to block another key');
  });

  it(`waits on at most ${MAX_KEYS} dependencies; the oldest key goes first`, () => {
    const pool = new OrphanPool(new FakeClock().now);
    const keys = Array.from({ length: MAX_KEYS + 1 }, (_, i) => '02' + i.toString(16).padStart(64, '0'));
    for (const k of keys) pool.keep('capability', capOf(k, 0), 'unknown-oracle', src, k);
    assert.deepEqual(vids(pool, 'oracle', keys[0] as string), [], 'expected the oldest dependency key evicted');
    assert.deepEqual(vids(pool, 'oracle', keys[1] as string), [keys[1]], 'expected the second oldest kept');
    assert.deepEqual(vids(pool, 'oracle', keys[MAX_KEYS] as string), [keys[MAX_KEYS]], 'expected the newest kept');
  });

  it('holds at most 16 MiB in total, refuses an orphan over 1 MiB, and take frees room', () => {
    const pool = new OrphanPool(new FakeClock().now);
    const size = 512 * 1024;
    const keys = Array.from({ length: 40 }, (_, i) => '02' + i.toString(16).padStart(64, '0'));
    for (const k of keys) pool.keep('capability', capOf(k, 0, size), 'unknown-oracle', src, k);
    const fit = Math.floor(TOTAL_BYTES / size);
    const kept = keys.filter((k) => pool.take('oracle', k).length === 1);
    assert.equal(kept.length, fit, `expected ${fit} orphans of 512 KiB within 16 MiB, got ${kept.length}`);
    assert.deepEqual(kept, keys.slice(0, fit), 'expected the first ones kept');
    // Everything was taken: the whole budget is free again.
    for (const k of keys.slice(0, fit)) pool.keep('capability', capOf(k, 1, size), 'unknown-oracle', src, k);
    assert.equal(keys.slice(0, fit).filter((k) => pool.take('oracle', k).length === 1).length, fit, 'expected take to have freed the bytes');
    pool.keep('capability', capOf(ORACLE, 0, TOTAL_BYTES / 16 + 1), 'unknown-oracle', src, 'huge');
    assert.deepEqual(vids(pool, 'oracle', ORACLE), [], 'expected an orphan over 1 MiB refused');
  });

  it(`forgets orphans after ${TTL_MS / 1000} s, and their bytes with them`, () => {
    const clock = new FakeClock();
    const pool = new OrphanPool(clock.now);
    pool.keep('capability', capOf(ORACLE, 1), 'unknown-oracle', src, 'early');
    clock.advance(TTL_MS - 1);
    const other = '02' + 'e'.repeat(64);
    pool.keep('capability', capOf(other, 1), 'unknown-oracle', src, 'late');
    assert.deepEqual(vids(pool, 'oracle', ORACLE), ['early'], 'expected an orphan still there just before its TTL');
    pool.keep('capability', capOf(ORACLE, 2), 'unknown-oracle', src, 'again');
    clock.advance(TTL_MS);
    assert.deepEqual(vids(pool, 'oracle', ORACLE), [], 'expected an orphan gone after its TTL');
    assert.deepEqual(vids(pool, 'oracle', other), [], 'expected the later one gone after its own TTL');
    // Expired bytes are recounted: a full budget of new orphans fits again.
    const size = 512 * 1024;
    const keys = Array.from({ length: 32 }, (_, i) => '03' + i.toString(16).padStart(64, '0'));
    for (const k of keys) pool.keep('capability', capOf(k, 0, size), 'unknown-oracle', src, k);
    assert.equal(keys.filter((k) => pool.take('oracle', k).length === 1).length, 32, 'expected expired orphans to leave no bytes behind');
  });

  it('expired bytes are reclaimed when the budget would overflow, without any take', () => {
    const clock = new FakeClock();
    const pool = new OrphanPool(clock.now);
    const size = 512 * 1024;
    const first = Array.from({ length: 32 }, (_, i) => '02' + i.toString(16).padStart(64, '0'));
    for (const k of first) pool.keep('capability', capOf(k, 0, size), 'unknown-oracle', src, k);
    clock.advance(TTL_MS + 1);
    const second = Array.from({ length: 32 }, (_, i) => '03' + i.toString(16).padStart(64, '0'));
    for (const k of second) pool.keep('capability', capOf(k, 0, size), 'unknown-oracle', src, k);
    assert.equal(second.filter((k) => pool.take('oracle', k).length === 1).length, 32, 'expected the expired 16 MiB recounted and the new 16 MiB kept');
  });
});
