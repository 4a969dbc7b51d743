/** test/unit/cli/node.test.ts - `mega node` against a real node's admin API (issue #19): the token is read from the node's cookie file; status, bans, ban, unban, connect, reload; usage errors exit 2, a missing cookie or a refused token exit 1 with the reason. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { MegaNode } from '../../../src/node.ts';
import { createTestNode, stopAll } from '../../helpers/network.ts';
import { removeDir, runMain, tempDir } from './run-cli.ts';

let node: MegaNode;
let dir: string;
let flags: string[];

before(async () => {
  dir = tempDir('mega-cli-node-');
  node = await createTestNode({ dataDir: path.join(dir, 'data') });
  flags = ['--node', `http://127.0.0.1:${node.httpPort}`, '--cookie', node.cookiePath as string];
});
after(async () => {
  await stopAll([node]);
  removeDir(dir);
});

describe('mega node', () => {
  it('status prints the node status read with the cookie token', async () => {
    const r = await runMain(['node', 'status', ...flags]);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { listeners: { http: number; p2p: number }; bans: number };
    assert.deepEqual([s.listeners.http, s.listeners.p2p, s.bans], [node.httpPort, node.p2pPort, 0]);
  });

  it('ban, bans, unban round trip; the node applies them', async () => {
    const ban = await runMain(['node', 'ban', '203.0.113.5', '--duration', '60000', ...flags]);
    assert.equal(ban.code, 0, ban.stderr);
    assert.equal(node.pool.bans.isBanned('203.0.113.5'), true);
    const list = JSON.parse((await runMain(['node', 'bans', ...flags])).stdout) as { bans: { address: string }[] };
    assert.deepEqual(list.bans.map((b) => b.address), ['203.0.113.5']);
    assert.equal((await runMain(['node', 'unban', '203.0.113.5', ...flags])).code, 0);
    assert.equal(node.pool.bans.isBanned('203.0.113.5'), false);
    const again = await runMain(['node', 'unban', '203.0.113.5', ...flags]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^mega: unban failed: HTTP 404 not-banned: 203\.0\.113\.5 is not banned\n$/);
  });

  it('connect takes host:port; reload answers what it applied', async () => {
    const c = await runMain(['node', 'connect', '127.0.0.1:9', ...flags]);
    assert.equal(c.code, 0, c.stderr);
    assert.deepEqual(JSON.parse(c.stdout), { host: '127.0.0.1', port: 9, dialing: true });
    const r = await runMain(['node', 'reload', ...flags]);
    // createTestNode gives the node no config file to re-read: the refusal is reported, not hidden.
    assert.equal(r.code, 1);
    assert.match(r.stderr, /reload failed: HTTP 422 invalid-config: .*without a config file/);
  });

  it('refuses a wrong token (exit 1, 401) and a missing cookie file (exit 1, names the file)', async () => {
    const wrong = await runMain(['node', 'status', '--node', `http://127.0.0.1:${node.httpPort}`, '--token', 'f'.repeat(64)]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /status failed: HTTP 401 admin-unauthorized/);
    const missing = path.join(dir, 'nope', '.cookie');
    const r = await runMain(['node', 'status', '--node', `http://127.0.0.1:${node.httpPort}`, '--cookie', missing]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`cannot read the cookie file ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(ENOENT\\)`));
    const notCookie = path.join(dir, 'bad-cookie');
    fs.writeFileSync(notCookie, 'hello');
    assert.match((await runMain(['node', 'status', '--cookie', notCookie])).stderr, /is not a Mega cookie file/);
  });

  it('usage errors exit 2', async () => {
    assert.equal((await runMain(['node'])).code, 2);
    assert.equal((await runMain(['node', 'explode', ...flags])).code, 2);
    assert.equal((await runMain(['node', 'ban', ...flags])).code, 2, 'ban needs an address');
    assert.equal((await runMain(['node', 'connect', 'nohost', ...flags])).code, 2, 'connect needs host:port');
    assert.equal((await runMain(['node', 'status', '--duration', '5', ...flags])).code, 2, '--duration is for ban only');
    const help = await runMain(['node', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /usage: mega node <action>/);
  });
});
