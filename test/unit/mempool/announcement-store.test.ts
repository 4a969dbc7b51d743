// test/unit/mempool/announcement-store.test.ts - AnnouncementStore without decoded copies (issue #21 memory): listings against a brute-force reference for every filter combination and page (attested=true walks the attested-only maturity index, attested=false the unattested one, no filter both merged) across attestation, expiry and PoW upgrades; the nonce index keyed by nonce (reuse under one DLC key found, the same nonce under two keys kept apart, freed on removal); entries decode their TLV on demand (src/mempool/announcements.ts, announcement-index.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { AnnouncementStore, type AnnouncementFilter, type StoredAnnouncement } from '../../../src/mempool/announcements.ts';
import { MaturityIndex } from '../../../src/mempool/announcement-index.ts';
import { questionWords } from '../../../src/mempool/text-index.ts';
import { decodeAnnouncement, encodeAnnouncement, encodeAttestation, toHex, type OracleAnnouncement, type OracleAttestation } from '../../../src/dlc/index.ts';
import { dlcTlvId } from '../../../src/protocol/ids.ts';
import type { Announcement, Attestation, Verified } from '../../../src/protocol/types.ts';

const NOW_S = 1_800_000_000;
const DAY_MS = 86_400_000;
const hex = (s: string): string => createHash('sha256').update(s).digest('hex');
const QUESTIONS = ['Will it rain in Berlin?', 'BTC price in USD', 'Will it rain in Paris?'];

/** The store-relevant shape of an announcement: a real TLV (the store decodes it on demand), signatures not checked (admission did). */
function event(oracle: number, maturityEpoch: number, label: string, nonces = [hex(`nonce:${label}`)]): OracleAnnouncement {
  return { signature: hex(`sig1:${label}`) + hex(`sig2:${label}`), oracleKey: hex(`dlc-key:${oracle}`), event: { nonces, maturityEpoch, descriptor: { kind: 'enum', outcomes: ['rain', 'sun'] }, eventId: label } };
}

function message(oracle: number, cap: number, ann: OracleAnnouncement, difficulty: number): Verified<Announcement> {
  return {
    oraclePubKey: `02${hex(`oracle:${oracle}`)}`,
    capabilityPubKey: `03${hex(`cap:${oracle}:${cap}`)}`,
    announcement: toHex(encodeAnnouncement(ann)),
    cTTL: 5,
    pow: { difficulty, algorithm: 'SHA256', hash: hex(`pow:${ann.event.eventId}:${difficulty}`), magicNo: 0 },
  } as Verified<Announcement>;
}

function attestation(id: string, ann: OracleAnnouncement): { msg: Verified<Attestation>; id: string; decoded: OracleAttestation } {
  const decoded: OracleAttestation = { eventId: ann.event.eventId, oracleKey: ann.oracleKey, signatures: [hex(`a1:${id}`) + hex(`a2:${id}`)], outcomes: ['sun'] };
  const tlv = toHex(encodeAttestation(decoded));
  return { msg: { announcementId: id, attestation: tlv } as Verified<Attestation>, id: dlcTlvId(tlv), decoded };
}

interface Rig {
  s: AnnouncementStore;
  clock: { t: number };
  add: (oracle: number, cap: number, maturityEpoch: number, label: string, difficulty?: number, nonces?: string[]) => { id: string; ann: OracleAnnouncement; msg: Verified<Announcement> };
  ids: string[];
}

function rig(): Rig {
  const clock = { t: NOW_S * 1000 };
  const s = new AnnouncementStore({ maxAnnouncementsPerCapability: 10_000, maxAnnouncements: 100_000, maxAnnouncementBytes: 1e9, announcementGraceMs: DAY_MS, attestedRetentionMs: 30 * DAY_MS }, () => clock.t);
  const ids: string[] = [];
  const add: Rig['add'] = (oracle, cap, maturityEpoch, label, difficulty = 0, nonces) => {
    const ann = event(oracle, maturityEpoch, label, nonces);
    const msg = message(oracle, cap, ann, difficulty);
    const id = hex(msg.announcement);
    const r = s.add(msg, id, decodeAnnouncement(msg.announcement), 'dlcspecs-v0', QUESTIONS[cap % QUESTIONS.length] as string, hex(`v:${label}:${difficulty}`));
    assert.equal(r.status, 'accepted', `announcement ${label}: expected accepted, got ${JSON.stringify(r)}`);
    ids.push(id);
    return { id, ann, msg };
  };
  return { s, clock, add, ids };
}

/** The listing's definition: every filter matches, earliest maturity first, then the smaller id, paged. */
function reference(all: StoredAnnouncement[], page: number, chunkSize: number, f: AnnouncementFilter): string[] {
  const words = f.question === undefined ? [] : questionWords(f.question);
  if (f.question !== undefined && words.length === 0) return [];
  return all
    .filter(
      (e) =>
        (f.oracle === undefined || e.msg.oraclePubKey === f.oracle) &&
        (f.capability === undefined || e.msg.capabilityPubKey === f.capability) &&
        words.every((w) => e.words.includes(w)) &&
        (f.maturityAfter === undefined || e.maturityEpoch >= f.maturityAfter) &&
        (f.maturityBefore === undefined || e.maturityEpoch <= f.maturityBefore) &&
        (f.attested === undefined || (e.attestation !== null) === f.attested),
    )
    .sort((a, b) => a.maturityEpoch - b.maturityEpoch || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(page * chunkSize, (page + 1) * chunkSize)
    .map((e) => e.id);
}

function compareAll(r: Rig, what: string): number {
  const all = [...new Set(r.ids)].map((id) => r.s.get(id)).filter((e): e is StoredAnnouncement => e !== undefined);
  let checked = 0;
  for (const attested of [undefined, true, false]) {
    for (const oracle of [undefined, `02${hex('oracle:1')}`]) {
      for (const capability of [undefined, `03${hex('cap:2:2')}`, `03${hex('cap:0:1')}`]) {
        for (const question of [undefined, 'rain', 'btc usd', 'nowhere']) {
          for (const range of [{}, { maturityAfter: NOW_S + 3 * 86_400 }, { maturityAfter: NOW_S + 2 * 86_400, maturityBefore: NOW_S + 6 * 86_400 }]) {
            const f: AnnouncementFilter = { attested, oracle, capability, question, ...range };
            for (const [page, chunkSize] of [[0, 7], [1, 7], [3, 7], [0, 1000]] as const) {
              const got = r.s.list({ page, chunkSize }, f).map((e) => e.id);
              assert.deepEqual(got, reference(all, page, chunkSize, f), `${what}: page ${page} of ${chunkSize} with ${JSON.stringify(f)}: expected the brute-force listing`);
              checked++;
            }
          }
        }
      }
    }
  }
  return checked;
}

describe('AnnouncementStore listings against a brute-force reference', () => {
  it('pages every filter combination alike, with attested=true on the attested-only index, across attestations, expiry and PoW upgrades', () => {
    const r = rig();
    const made: { id: string; ann: OracleAnnouncement }[] = [];
    // 600 announcements of 3 oracles, 3 capabilities each, maturing over 10 days (some at the same second).
    for (let i = 0; i < 600; i++) made.push(r.add(i % 3, (i >> 2) % 3, NOW_S + 3600 + Math.floor(((i * 7919) % 600) / 60) * 86_400 + (i % 5), `ev${i}`, i % 4));
    compareAll(r, 'unattested');
    // 1 in 9 attested: attested=true must list exactly those, in maturity order.
    for (let i = 0; i < made.length; i += 9) {
      const m = made[i] as { id: string; ann: OracleAnnouncement };
      const a = attestation(m.id, m.ann);
      assert.equal(r.s.attest(a.msg, a.id, a.decoded, hex(`va:${i}`)).status, 'accepted', `attestation ${i}: expected accepted`);
    }
    assert.equal(r.s.list({ page: 0, chunkSize: 1000 }, { attested: true }).length, Math.ceil(600 / 9), 'expected every attested announcement listed by attested=true');
    compareAll(r, 'attested 1 in 9');
    // A PoW upgrade of the same TLV keeps its place in every listing.
    const up = made[4] as { id: string; ann: OracleAnnouncement };
    const again = message(1, 1, up.ann, 9);
    assert.equal(r.s.add(again, up.id, up.ann, 'dlcspecs-v0', QUESTIONS[1] as string, hex('v:up')).status, 'accepted', 'expected the PoW upgrade accepted');
    assert.equal(r.s.get(up.id)?.msg.pow.difficulty, 9, 'expected the upgraded message stored');
    // Expiry: past maturity + 2 × grace of the first days, unattested ones go; attested ones stay (retention 30 days).
    r.clock.t = (NOW_S + 4 * 86_400) * 1000;
    const gone = r.s.sweep();
    assert.ok(gone.length > 100, `expected the unattested announcements of the first days expired, got ${gone.length}`);
    const checked = compareAll(r, 'after expiry');
    assert.equal(checked, 3 * 2 * 3 * 4 * 3 * 4, 'expected every combination compared');
  });

  it('walks only attested announcements for attested=true: a page costs its size, not the unattested ones before it', () => {
    const r = rig();
    const made = Array.from({ length: 3000 }, (_, i) => r.add(i % 3, i % 3, NOW_S + 3600 + i * 60, `w${i}`));
    // Five attested, all after the 2,995 unattested ones.
    for (const m of made.slice(-5)) {
      const a = attestation(m.id, m.ann);
      r.s.attest(a.msg, a.id, a.decoded, hex(`va:${m.id}`));
    }
    let walked = 0;
    const forEach = MaturityIndex.prototype.forEach;
    MaturityIndex.prototype.forEach = function (this: MaturityIndex<StoredAnnouncement>, key: string, from: number, visit: (e: StoredAnnouncement) => boolean) {
      forEach.call(this, key, from, (e: StoredAnnouncement) => {
        walked++;
        return visit(e);
      });
    } as typeof forEach;
    try {
      const page = r.s.list({ page: 0, chunkSize: 10 }, { attested: true });
      assert.deepEqual(page.map((e) => e.id), made.slice(-5).map((m) => m.id), 'expected the five attested announcements');
      assert.ok(walked <= 5, `expected the attested=true page to visit only attested entries (5), visited ${walked}`);
      walked = 0;
      assert.equal(r.s.list({ page: 0, chunkSize: 10 }, { attested: false }).length, 10, 'expected a full page of unattested ones');
      assert.ok(walked <= 10, `expected the attested=false page to visit 10 entries, visited ${walked}`);
    } finally {
      MaturityIndex.prototype.forEach = forEach;
    }
  });

  it('merges the attested and unattested halves in maturity order from a bound (MaturityIndex.forEachUnion), stopping where the visitor says', () => {
    type E = { id: string; maturityEpoch: number };
    const union = (idx: MaturityIndex<E>, a: string, b: string, from: number, max = Infinity): E[] => {
      const out: E[] = [];
      idx.forEachUnion(a, b, from, (e) => {
        out.push(e);
        return out.length < max;
      });
      return out;
    };
    const order = (x: E, y: E): number => x.maturityEpoch - y.maturityEpoch || (x.id < y.id ? -1 : 1);
    for (const every of [2, 4, 50]) {
      const idx = new MaturityIndex<E>();
      const es = Array.from({ length: 200 }, (_, i) => ({ id: hex(`m${i}`), maturityEpoch: 100 + (i % 13) }));
      es.forEach((e, i) => idx.add(i % every === 0 ? 'a' : 'u', e));
      const want = es.filter((e) => e.maturityEpoch >= 105).sort(order);
      assert.deepEqual(union(idx, 'a', 'u', 105), want, `1 in ${every} in 'a': expected the union of both sets, earliest maturity then smaller id first, from maturity 105`);
      assert.deepEqual(union(idx, 'u', 'a', 105), want, `1 in ${every}: the same merge with the sets named the other way round`);
      for (const max of [1, 7, 30]) assert.deepEqual(union(idx, 'a', 'u', 101, max), es.filter((e) => e.maturityEpoch >= 101).sort(order).slice(0, max), `1 in ${every}: expected the walk to stop after ${max}`);
      assert.deepEqual(union(idx, 'a', 'none', 0), es.filter((_, i) => i % every === 0).sort(order), `1 in ${every}: expected one set alone when the other is empty`);
      assert.deepEqual(union(idx, 'none', 'u', 0), es.filter((_, i) => i % every !== 0).sort(order), `1 in ${every}: expected one set alone when the first is empty`);
      assert.deepEqual(union(idx, 'a', 'u', 200), [], `1 in ${every}: nothing after the last maturity`);
    }
  });
});

describe('AnnouncementStore nonce index and on-demand decoding', () => {
  it('finds a nonce by (DLC key, nonce), keeps the same nonce of two keys apart, and frees it on removal', () => {
    const r = rig();
    const shared = hex('copied R');
    const a = r.add(1, 0, NOW_S + 86_400, 'a', 0, [shared]);
    const b = r.add(2, 0, NOW_S + 10 * 86_400, 'b', 0, [shared]);
    const keyA = a.ann.oracleKey;
    const keyB = b.ann.oracleKey;
    assert.equal(r.s.byNonce(keyA, shared)?.id, a.id, "expected oracle 1's announcement under its key");
    assert.equal(r.s.byNonce(keyB, shared)?.id, b.id, "expected oracle 2's announcement under its key (the same R of another key is no reuse)");
    assert.equal(r.s.byNonce(hex('dlc-key:3'), shared), undefined, 'expected nothing for a third key');
    // A second announcement of key A committing the same nonce (a restore: the rules refuse it live): the first stays indexed.
    const a2 = r.add(1, 0, NOW_S + 20 * 86_400, 'a2', 0, [shared]);
    assert.equal(r.s.byNonce(keyA, shared)?.id, a.id, 'expected the first announcement of key A to stay indexed');
    // a expires (maturity + 2 days): key B's entry stays, key A's nonce is free.
    r.clock.t = (NOW_S + 4 * 86_400) * 1000;
    assert.deepEqual(r.s.sweep().map((e) => e.id), [a.id], 'expected only a expired');
    assert.equal(r.s.byNonce(keyA, shared), undefined, "expected key A's nonce freed with its announcement");
    assert.equal(r.s.byNonce(keyB, shared)?.id, b.id, "expected key B's announcement still found");
    r.clock.t = (NOW_S + 30 * 86_400) * 1000;
    r.s.sweep();
    assert.equal(r.s.counts().announcements, 0, 'expected every announcement expired');
    assert.equal(r.s.byNonce(keyB, shared), undefined, 'expected the nonce gone with the last announcement');
    assert.equal(r.s.get(a2.id), undefined, 'expected a2 expired too');
  });

  it('shares strings between messages without changing a value, and stores a frozen message as it is', () => {
    const r = rig();
    const first = r.add(7, 0, NOW_S + 86_400, 's1');
    const ann = event(7, NOW_S + 2 * 86_400, 's2');
    const frozen = Object.freeze(message(7, 0, ann, 1));
    const text = JSON.stringify(frozen);
    const id = hex(frozen.announcement);
    assert.equal(r.s.add(frozen, id, ann, 'dlcspecs-v0', QUESTIONS[0] as string, hex('v:s2')).status, 'accepted', 'expected a frozen message accepted');
    assert.equal(JSON.stringify(r.s.get(id)?.msg), text, 'expected the frozen message stored unchanged');
    // A message of the same capability: shared key strings, same values.
    const second = r.add(7, 0, NOW_S + 3 * 86_400, 's3');
    assert.deepEqual([second.msg.oraclePubKey, second.msg.capabilityPubKey], [first.msg.oraclePubKey, first.msg.capabilityPubKey], 'expected the same key values');
    // The same TLV with more PoW under another capability key: a duplicate, not an upgrade (it stays stored and
    // indexed under the keys it was first admitted with; replacing it left it listed under keys it no longer carried).
    const firstText = JSON.stringify(r.s.get(first.id)?.msg);
    const other = { ...message(7, 0, first.ann, 5), capabilityPubKey: `03${hex('another cap')}` } as Verified<Announcement>;
    assert.equal(r.s.add(other, first.id, first.ann, 'dlcspecs-v0', QUESTIONS[0] as string, hex('v:s1b')).status, 'duplicate', 'expected the same TLV under other keys refused as a duplicate');
    assert.equal(JSON.stringify(r.s.get(first.id)?.msg), firstText, 'expected the first message kept unchanged');
    // With the same keys, more PoW is an upgrade.
    const up = message(7, 0, first.ann, 5);
    assert.equal(r.s.add(up, first.id, first.ann, 'dlcspecs-v0', QUESTIONS[0] as string, hex('v:s1c')).status, 'accepted', 'expected the PoW upgrade under the same keys accepted');
    assert.equal(r.s.get(first.id)?.msg.pow.difficulty, up.pow.difficulty);
  });

  it('indexes every nonce of a digits event and decodes stored entries on demand to what was admitted', () => {
    const r = rig();
    const nonces = Array.from({ length: 20 }, (_, i) => hex(`digit nonce ${i}`));
    const ann: OracleAnnouncement = { ...event(5, NOW_S + 86_400, 'digits', nonces), event: { nonces, maturityEpoch: NOW_S + 86_400, descriptor: { kind: 'digits', base: 2, isSigned: false, unit: 'usd', precision: 0, nbDigits: 20 }, eventId: 'digits' } };
    const msg = message(5, 0, ann, 1);
    const id = hex(msg.announcement);
    assert.equal(r.s.add(msg, id, decodeAnnouncement(msg.announcement), 'dlcspecs-v0', QUESTIONS[0] as string, hex('v:d')).status, 'accepted');
    for (const n of nonces) assert.equal(r.s.byNonce(ann.oracleKey, n)?.id, id, `expected nonce ${n.slice(0, 8)} of the digits event indexed`);
    const e = r.s.get(id) as StoredAnnouncement;
    assert.deepEqual(e.decoded, ann, 'expected the stored entry to decode to the admitted announcement');
    const att = attestation(id, ann);
    r.s.attest(att.msg, att.id, att.decoded, hex('v:da'));
    assert.deepEqual(e.attestation?.decoded, att.decoded, 'expected the stored attestation to decode to the admitted one');
    assert.equal(e.attestation?.id, att.id, 'expected the stored attestation id to be the SHA-256 of its TLV');
    assert.equal(e.attestation?.msg.announcementId, id, 'expected the attestation message to name its announcement');
  });
});
