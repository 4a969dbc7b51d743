// test/unit/persist/dlc-store.test.ts - MempoolStore brings DLC announcements and attestations back on restart (journal and snapshot), with their indexes (nonce index, attestation, short version ids).
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { MempoolStore } from '../../../src/persist/store.ts';
import { newServiceForTest, FakeClock } from '../../helpers/factory.ts';
import { makeDlcAttestation, makeDlcEvent, makeDlcOracle } from '../../helpers/dlc.ts';

const log = pino({ level: 'silent' });
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-dlc-store-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('persistence of DLC announcements and attestations', () => {
  for (const compact of [false, true]) {
    it(`restore brings both kinds back (${compact ? 'from the snapshot' : 'from the journal'})`, async () => {
      const clock = new FakeClock();
      const t = newServiceForTest({ clock });
      const store = new MempoolStore({ dir, fsyncIntervalMs: 0, compactBytes: 1 << 30 }, { log });
      store.open(t.mempool);
      const o = makeDlcOracle(21);
      const ev = makeDlcEvent(o, { maturityEpoch: Math.floor(clock.now() / 1000) + 86_400 });
      const att = makeDlcAttestation(o, ev, ['snow']);
      for (const [kind, msg] of [['oracle', o.oracle], ['capability', o.capability], ['announcement', ev.entity], ['attestation', att]] as const) {
        assert.equal((await t.service.admit(kind, msg)).status, 'accepted', `expected the ${kind} accepted`);
      }
      if (compact) store.compact();
      store.close();
      const before = [...t.mempool.inventory()].map((e) => `${e.kind} ${e.id} ${e.version}`).sort();

      const u = newServiceForTest({ clock });
      const again = new MempoolStore({ dir, fsyncIntervalMs: 0, compactBytes: 1 << 30 }, { log });
      const s = again.open(u.mempool);
      again.close();
      assert.deepEqual([s.announcements, s.attestations, s.refused], [1, 1, 0], 'expected one announcement and one attestation restored, none refused');
      assert.deepEqual([...u.mempool.inventory()].map((e) => `${e.kind} ${e.id} ${e.version}`).sort(), before, 'expected the same contents and versions');
      assert.equal(u.service.getAnnouncement(ev.id)?.attestation?.msg.attestation, att.attestation, 'expected the attestation attached again');
      assert.equal(u.mempool.announcementByNonce(ev.ann.oracleKey, ev.ann.event.nonces[0] as string)?.id, ev.id, 'expected the nonce index rebuilt');
    });
  }
});
