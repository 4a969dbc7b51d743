// test/unit/trader-daemon/admin-cli.test.ts - owns the trader admin surface short of the engine: the CLI commands `mega wallet|offer|contract` (flags -> the admin request, the cookie read from --data-dir, the daemon's error code shown, usage errors) against a cookie admin server recording what it got, the admin routes' request checks (admin-routes.ts makeRequest), the identity key file (identity.ts: created 0600, reused, refused when readable by others or malformed), and the data-dir lock.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CookieAdminServer, HttpError } from '../../../src/daemon/admin-server.ts';
import { acquireDirLock } from '../../../src/daemon/private-file.ts';
import { makeRequest } from '../../../src/trader-daemon/admin-routes.ts';
import { httpErrorOf } from '../../../src/trader-daemon/errors.ts';
import { loadOrCreateIdentity } from '../../../src/trader-daemon/identity.ts';
import { runMain } from '../cli/run-cli.ts';

const OFFER = 'ab'.repeat(32);
const ANN = 'cd'.repeat(32);

describe('mega wallet|offer|contract over the admin API', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-trader-cli-'));
  const seen: { route: string; params: Record<string, string>; body: unknown }[] = [];
  const rec = (route: string, answer: (p: Record<string, string>, b: unknown) => unknown) => (params: Record<string, string>, body: unknown) => {
    seen.push({ route, params, body });
    return answer(params, body);
  };
  const admin = new CookieAdminServer({
    dataDir: dir,
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes: 65536,
    mapError: httpErrorOf,
    routes: [
      { method: 'GET', path: '/wallet/address', handle: rec('address', () => ({ address: 'bcrt1qxyz', scriptPubKey: '0014' + '00'.repeat(20) })) },
      { method: 'GET', path: '/wallet/balance', handle: rec('balance', () => ({ available: '5', reserved: '0', pending: '0' })) },
      { method: 'POST', path: '/offers', handle: rec('make', () => ({ offerId: OFFER })) },
      { method: 'POST', path: '/offers/:id/take', handle: rec('take', (p) => ({ id: p.id, phase: 'funding' })) },
      { method: 'POST', path: '/offers/:id/cancel', handle: rec('cancel', (p) => ({ offerId: p.id, status: 'cancelled' })) },
      { method: 'GET', path: '/contracts', handle: rec('list', () => ({ contracts: [] })) },
      { method: 'GET', path: '/contracts/:id', handle: rec('show', (p) => ({ id: p.id })) },
      {
        method: 'POST',
        path: '/contracts/:id/refund',
        handle: rec('refund', () => {
          throw Object.assign(new Error('the refund locktime has not passed'), { name: 'EngineError', code: 'refund-not-final' });
        }),
      },
    ],
  });
  before(() => admin.start());
  after(async () => {
    await admin.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const mega = (args: string[]) => runMain([...args, '--data-dir', dir]);

  it('wallet address and balance', async () => {
    const a = await mega(['wallet', 'address']);
    assert.equal(a.code, 0, a.stderr);
    assert.equal((JSON.parse(a.stdout) as { address: string }).address, 'bcrt1qxyz');
    assert.equal((JSON.parse((await mega(['wallet', 'balance'])).stdout) as { available: string }).available, '5');
    assert.equal((await mega(['wallet', 'spend'])).code, 2, 'an unknown subcommand is a usage error');
  });

  it('offer create sends the terms; times may be relative; take and cancel name the offer', async () => {
    const before = Math.floor(Date.now() / 1000);
    const r = await mega(['offer', 'create', '--announcement', ANN.toUpperCase(), '--maker-collateral', '1000', '--taker-collateral', '2000', '--payout', 'a=3000:0', '--payout', 'b=0:3000', '--fee-rate', '3', '--refund-locktime', '2030-01-01T00:00:00Z', '--expires', '+60']);
    assert.equal(r.code, 0, r.stderr);
    const body = seen.at(-1)?.body as Record<string, unknown>;
    assert.equal(body.announcementId, ANN, 'the id is sent lowercase');
    assert.deepEqual(body.payouts, { kind: 'enum', outcomes: [{ outcome: 'a', maker: 3000, taker: 0 }, { outcome: 'b', maker: 0, taker: 3000 }] });
    assert.equal(body.refundLocktime, Date.parse('2030-01-01T00:00:00Z') / 1000);
    assert.ok((body.expiresAt as number) >= before + 60 && (body.expiresAt as number) <= before + 62, `+60 is 60 s from now, got ${String(body.expiresAt)}`);
    assert.deepEqual([body.feeRate, body.makerCollateral, body.takerCollateral, body.cetLocktime], [3, 1000, 2000, 0]);
    const bad = await mega(['offer', 'create', '--announcement', ANN, '--maker-collateral', '1', '--taker-collateral', '1', '--payout', 'nocolon', '--refund-locktime', '1', '--expires', '1']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--payout takes <outcome>=<maker sat>:<taker sat>/);
    const take = await mega(['offer', 'take', OFFER]);
    assert.equal((JSON.parse(take.stdout) as { phase: string }).phase, 'funding');
    assert.deepEqual(seen.at(-1)?.params, { id: OFFER });
    assert.equal((await mega(['offer', 'cancel', OFFER])).code, 0);
    assert.equal((await mega(['offer', 'take', 'xyz'])).code, 2, 'take needs a 64-hex id');
  });

  it("contract list, show, and a refused refund shows the daemon's code", async () => {
    assert.deepEqual(JSON.parse((await mega(['contract', 'list'])).stdout), { contracts: [] });
    assert.deepEqual(JSON.parse((await mega(['contract', 'show', OFFER])).stdout), { id: OFFER });
    const r = await mega(['contract', 'refund', OFFER]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /409 refund-not-final: the refund locktime has not passed/);
  });

  it('says what is missing without a data dir, and when the daemon is not running', async () => {
    const none = await runMain(['wallet', 'balance']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /give --data-dir or --config/);
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-trader-none-'));
    const r = await runMain(['contract', 'list', '--data-dir', empty]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is mega-trader running on this data dir/);
    fs.rmSync(empty, { recursive: true });
  });
});

describe('admin request checks', () => {
  const ok = { announcementId: ANN, makerCollateral: 1, takerCollateral: 1, payouts: { kind: 'enum', outcomes: [{ outcome: 'x', maker: 2, taker: 0 }] }, feeRate: 1, refundLocktime: 600_000_000, expiresAt: 1 };
  const refusal = (b: unknown): string => {
    try {
      makeRequest(b, 'bitcoin-regtest');
    } catch (e) {
      assert.ok(e instanceof HttpError && e.status === 400, `expected a 400, got ${String(e)}`);
      return e.message;
    }
    return 'accepted';
  };
  it('fills chain and cetLocktime, and names the field of every refusal', () => {
    assert.deepEqual(makeRequest(ok, 'bitcoin-regtest'), { ...ok, chain: 'bitcoin-regtest', cetLocktime: 0 });
    assert.match(refusal({ ...ok, extra: 1 }), /^extra: unknown field/);
    assert.match(refusal({ ...ok, chain: 'bitcoin-mainnet' }), /^chain: this daemon trades on bitcoin-regtest/);
    assert.match(refusal({ ...ok, makerCollateral: -1 }), /^makerCollateral:/);
    assert.match(refusal({ ...ok, announcementId: 'x' }), /^announcementId:/);
    assert.match(refusal({ ...ok, payouts: { kind: 'enum', outcomes: [{ outcome: 'x', maker: 1 }] } }), /^payouts\.outcomes\[0\]:/);
    assert.match(refusal({ ...ok, payouts: { kind: 'numeric', points: [{ outcome: 0, maker: 1 }] } }), /^payouts\.points:/);
    assert.match(refusal({ ...ok, payouts: { kind: 'other' } }), /^payouts\.kind:/);
    assert.match(refusal([]), /^\(body\):/);
  });
});

describe('identity key and data-dir lock', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-trader-id-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates the key 0600 on first start and reuses it; refuses one readable by others or malformed', () => {
    const file = path.join(dir, 'identity.key');
    const first = loadOrCreateIdentity(file);
    assert.equal(first.created, true);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.match(first.pubkey, /^0[23][0-9a-f]{64}$/);
    const again = loadOrCreateIdentity(file);
    assert.deepEqual([again.created, again.pubkey], [false, first.pubkey]);
    fs.chmodSync(file, 0o644);
    assert.throws(() => loadOrCreateIdentity(file), /readable by others/);
    fs.chmodSync(file, 0o600);
    fs.writeFileSync(file, 'not a key');
    assert.throws(() => loadOrCreateIdentity(file), (e: unknown) => e instanceof Error && /does not hold a secp256k1 secret/.test(e.message) && !e.message.includes('not a key'));
  });

  it("lets one process hold a data dir; takes over a dead owner's lock", () => {
    const release = acquireDirLock(dir);
    fs.writeFileSync(path.join(dir, 'LOCK'), String(process.ppid)); // a live process that is not us
    assert.throws(() => acquireDirLock(dir), /in use by process/);
    fs.writeFileSync(path.join(dir, 'LOCK'), '999999999'); // no such process
    const again = acquireDirLock(dir);
    again();
    release();
    assert.equal(fs.existsSync(path.join(dir, 'LOCK')), false);
  });
});
