// test/unit/oracle/admin.test.ts - owns src/oracle-daemon/admin.ts: loopback admin API behind a bearer token from the cookie file (fresh each start, 0600, removed at stop); every bad request is a 4xx with a code, never a crash; outcome results map to 200/404/409/422.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AdminServer, MAX_ADMIN_BODY_BYTES, type AdminDeps } from '../../../src/oracle-daemon/admin.ts';
import type { ManualResult } from '../../../src/oracle-daemon/events.ts';

let dir: string;
let server: AdminServer;
let paused: boolean[];
let posted: unknown[];
let next: ManualResult;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-admin-'));
  paused = [];
  posted = [];
  next = { status: 'stored', event: 'c@1', outcomes: ['yes'] };
  const deps: AdminDeps = {
    status: () => ({ ok: true }),
    setPaused: (p) => void paused.push(p),
    postOutcome: (capability, selector, value) => {
      posted.push({ capability, selector, value });
      return next;
    },
  };
  server = new AdminServer(dir, '127.0.0.1', 0, deps);
  await server.start();
});
afterEach(async () => {
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const token = (): string => fs.readFileSync(path.join(dir, '.cookie'), 'utf8').trim();
async function call(method: string, route: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; json: { error?: { code: string } } & Record<string, unknown> }> {
  const res = await fetch(`${server.url}${route}`, { method, headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, json: (await res.json()) as { error?: { code: string } } & Record<string, unknown> };
}

describe('admin API', () => {
  it('writes a private cookie and its URL; refuses requests without the token', async () => {
    assert.equal(fs.statSync(path.join(dir, '.cookie')).mode & 0o777, 0o600);
    assert.match(token(), /^[0-9a-f]{64}$/);
    assert.equal((JSON.parse(fs.readFileSync(path.join(dir, 'admin.json'), 'utf8')) as { url: string }).url, server.url);
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    for (const h of [{} as Record<string, string>, { authorization: 'Bearer ' + '0'.repeat(64) }, { authorization: `Basic ${token()}` }]) {
      const res = await fetch(`${server.url}/status`, { headers: h });
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'unauthorized');
    }
  });

  it('status, pause and resume', async () => {
    assert.deepEqual((await call('GET', '/status')).json, { ok: true });
    assert.deepEqual((await call('POST', '/pause')).json, { paused: true });
    assert.deepEqual((await call('POST', '/resume')).json, { paused: false });
    assert.deepEqual(paused, [true, false]);
  });

  it('answers bad requests with 4xx and a code', async () => {
    assert.equal((await call('GET', '/nope')).json.error?.code, 'not-found');
    const r405 = await call('GET', '/pause');
    assert.equal(r405.status, 405);
    assert.equal((await call('POST', '/outcome', '{', {})).json.error?.code, 'bad-json');
    assert.equal((await call('POST', '/outcome', 'x', { 'content-type': 'text/plain' })).status, 415);
    assert.equal((await call('POST', '/outcome', JSON.stringify({ capability: 'c', value: 'x'.repeat(MAX_ADMIN_BODY_BYTES) }))).status, 413);
    for (const body of [[], { capability: 'c', value: 'yes' }, { capability: 'c', maturity: 'soon', value: 'yes' }, { capability: 'c', eventId: 'e', value: { a: 1 } }, { capability: 'c', eventId: 'e', value: 'yes', extra: 1 }, { capability: 'c', announcementId: 'xyz', value: 'yes' }]) {
      const r = await call('POST', '/outcome', JSON.stringify(body));
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json.error?.code, 'bad-request');
    }
    assert.deepEqual(posted, [], 'nothing bad reached the daemon');
  });

  it('posts an outcome and maps the daemon answer', async () => {
    const ok = await call('POST', '/outcome', JSON.stringify({ capability: 'c', maturity: '2027-01-01T00:00:00Z', value: 'yes' }));
    assert.equal(ok.status, 200);
    assert.deepEqual(posted[0], { capability: 'c', selector: { maturityEpoch: 1798761600 }, value: 'yes' });
    const cases: [ManualResult, number, string][] = [
      [{ status: 'attested', event: 'c@1', outcomes: ['no'] }, 409, 'already-attested'],
      [{ status: 'unknown-event' }, 404, 'unknown-event'],
      [{ status: 'not-manual' }, 422, 'not-manual'],
      [{ status: 'invalid', code: 'not-an-outcome', message: 'm' }, 422, 'not-an-outcome'],
    ];
    for (const [result, status, code] of cases) {
      next = result;
      const r = await call('POST', '/outcome', JSON.stringify({ capability: 'c', eventId: 'e', value: 1 }));
      assert.equal(r.status, status);
      assert.equal(r.json.error?.code, code);
    }
  });

  it('removes the cookie and admin.json at stop', async () => {
    await server.stop();
    assert.equal(fs.existsSync(path.join(dir, '.cookie')), false);
    assert.equal(fs.existsSync(path.join(dir, 'admin.json')), false);
  });
});
