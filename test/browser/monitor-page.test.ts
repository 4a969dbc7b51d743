// test/browser/monitor-page.test.ts - headless Chromium (playwright-core, Debian's /usr/bin/chromium) against a running node: live updates without reload, the submit form, network text shown as text, phone width, Swagger UI "Try it out", each peer's push-tree edge (eager/lazy) following a real prune and graft between three nodes; nothing loaded from outside the node. Screenshots: test-output/browser/.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { VERSION, type MegaNode } from '../../src/node.ts';
import { TREE_MIN_CTTL } from '../../src/p2p/constants.ts';
import { makeCapability, makeKeys, makeOracle, makeReport } from '../helpers/factory.ts';
import { areConnected, connect, createTestNode, hasItem, post as postTo, waitFor, waitForValue } from '../helpers/network.ts';

const CHROMIUM = process.env.MEGA_CHROMIUM ?? '/usr/bin/chromium';
const SKIP = process.env.MEGA_SKIP_BROWSER_TEST === '1';
const SHOTS = path.resolve('test-output/browser');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const HOSTILE = '<img src=x onerror=alert(1)>';

describe('monitoring page in Chromium', { skip: SKIP ? 'MEGA_SKIP_BROWSER_TEST=1' : false }, () => {
  let node: MegaNode;
  let peerNode: MegaNode | undefined;
  let thirdNode: MegaNode | undefined;
  let base: string;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  const requested: string[] = [];
  const problems: string[] = [];
  const failed: string[] = [];
  const oracleKeys = makeKeys(101);

  before(async () => {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} not found: apt-get install -y chromium (as .ci/run does), or set MEGA_CHROMIUM=<path>; MEGA_SKIP_BROWSER_TEST=1 skips this test`);
    }
    fs.mkdirSync(SHOTS, { recursive: true });
    node = await createTestNode({ facilitatorId: { rewardAddress: 'bcrt1qh6twm3strmqu08ky6ahyfaaf36823sesl4fccc' } });
    base = `http://127.0.0.1:${node.httpPort}`;
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    context.on('request', (r) => requested.push(r.url()));
    context.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`);
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('websocket', (ws) => requested.push(ws.url()));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      // Failed loads are checked one by one through `failed` (the form test makes one on purpose).
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
    });
  });

  after(async () => {
    await context?.close().catch(() => undefined);
    await thirdNode?.stop();
    await peerNode?.stop();
    await node?.stop();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  const post = (p: string, body: unknown) => fetch(base + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('shows the node live, and an oracle posted by REST appears without a reload', async () => {
    await page.goto(base + '/index.htm');
    await page.locator('#live-state', { hasText: 'live' }).waitFor();
    await page.locator('#id-network', { hasText: 'regtest' }).waitFor();
    assert.equal(await page.textContent('#id-version'), VERSION);
    assert.equal(await page.textContent('#id-facilitator'), 'reward bcrt1qh6twm3strmqu08ky6ahyfaaf36823sesl4fccc');
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));

    assert.equal((await post('/oracle', makeOracle({ keys: oracleKeys, tags: ['weather'] }))).status, 201);
    await page.locator(`#oracles li[data-pubkey="${oracleKeys.publicKey}"]`).waitFor();
    await page.locator(`#oracles li[data-pubkey="${oracleKeys.publicKey}"] .standing`, { hasText: 'no proofs' }).waitFor();
    await page.locator('#feed li[data-event="mempool:accepted"]').first().waitFor();
    await page.locator('#mempool tbody tr', { hasText: 'oracles' }).locator('td.num', { hasText: '1' }).waitFor();
    await page.locator('#rates tbody tr', { hasText: 'oracle' }).first().locator('td', { hasText: '100.0 %' }).waitFor();
    assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, 'the page was not reloaded');
  });

  it('shows a P2P peer that connects, in the table and the feed', async () => {
    peerNode = await createTestNode({}, 'browser-peer');
    await connect(peerNode, node);
    const peerRow = page.locator('#peers tbody tr').filter({ has: page.locator('td.ua') });
    await peerRow.waitFor();
    const userAgent = node.pool.list()[0]?.userAgent ?? '';
    assert.ok(userAgent.length > 0, `expected userAgent.length > 0, got userAgent.length = ${userAgent.length}`);
    assert.equal(await peerRow.locator('td.ua').textContent(), userAgent);
    await page.locator('#feed li[data-event="peer:connect"]').waitFor();
    await page.locator('#peer-count', { hasText: '(1)' }).waitFor();
    // GET /stats `shards` (PROTOCOL 11.9): an unsharded node whose only peer is unsharded has no other shard to cover.
    await page.locator('#shard-cover', { hasText: 'shard coverage — own 0/1 · no other shard seen' }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'monitor-desktop.png'), fullPage: true });
  });

  it('submits a signed capability through the form and shows hostile network text literally', async () => {
    const cap = makeCapability({ oracleKeys, capKeys: makeKeys(102), question: HOSTILE, tags: ['<b>bold</b>'] });
    await page.fill('#submit-body', JSON.stringify(cap, null, 2));
    assert.equal(await page.inputValue('#submit-type'), 'capability', 'type picked from the pasted JSON');
    await page.click('#submit button[type=submit]');
    await page.locator('#submit-result', { hasText: 'HTTP 201' }).waitFor();
    assert.match((await page.textContent('#submit-result')) ?? '', /"result": "accepted"/);

    // The live feed shows the question as text.
    await page.locator('#feed li[data-event="mempool:accepted"] .text', { hasText: HOSTILE }).waitFor();
    // Search by a word of the question, open the oracle, see the capability as text.
    await page.fill('#search input[name=question]', 'onerror');
    await page.click('#search button[type=submit]');
    const li = page.locator(`#oracles li[data-pubkey="${oracleKeys.publicKey}"]`);
    await li.waitFor();
    await li.locator('summary').click();
    await li.locator('.caps .question', { hasText: HOSTILE }).waitFor();
    assert.equal(await li.locator('.caps .question').first().textContent(), HOSTILE);
    await li.locator('.caps .tag', { hasText: '<b>bold</b>' }).waitFor();
    // The row itself shows the question and the capability's tag as text too.
    assert.equal(await li.locator('.questions li').first().textContent(), HOSTILE);
    await li.locator(':scope > .tags .tag', { hasText: '<b>bold</b>' }).waitFor();
    // A verified conflict against the oracle: its standing turns to conflicted without a reload.
    const conflict = makeReport({ type: 'fact-conflict', oraclePubKey: oracleKeys.publicKey, capKeys: makeKeys(102), args: { q: '1' } });
    assert.equal((await post('/report', conflict)).status, 201, 'expected the fact-conflict accepted');
    await li.locator('.standing.standing-conflicted', { hasText: 'conflicted: 1 proof' }).waitFor();
    // Nothing the network sent became markup: no img or b element exists, and no alert fired.
    assert.deepEqual(await page.evaluate(() => [document.querySelectorAll('img').length, document.querySelectorAll('b').length]), [0, 0]);
    await page.locator('#mempool tbody tr', { hasText: 'capabilities' }).locator('td.num', { hasText: '1' }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'monitor-submitted.png'), fullPage: true });

    // A refused message shows the node's reason.
    await page.fill('#submit-body', '{"pubkey": "nope"}');
    await page.selectOption('#submit-type', 'oracle');
    await page.click('#submit button[type=submit]');
    await page.locator('#submit-result', { hasText: 'HTTP 400' }).waitFor();
    assert.match((await page.textContent('#submit-result')) ?? '', /"code": "schema-violation"/);
  });

  it('fits a phone: no sideways scrolling at 390 px', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('#oracles li').first().waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390);
    await page.screenshot({ path: path.join(SHOTS, 'monitor-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('opens Swagger UI at /docs/ and posts the spec example with "Try it out"', async () => {
    await page.goto(base + '/docs/');
    await page.locator('.swagger-ui .info .title', { hasText: 'Wolfram Mega node API' }).waitFor();
    const op = page.locator('#operations-submit-postOracle');
    await op.locator('.opblock-summary').click();
    await op.locator('button.try-out__btn').click();
    await op.locator('button.execute').click();
    const status = op.locator('.live-responses-table .response .response-col_status').first();
    await status.waitFor();
    assert.equal((await status.textContent())?.trim(), '201');
    await status.scrollIntoViewIfNeeded();
    assert.equal(node.service.counts().oracles, 2, 'the example oracle is stored next to the test oracle');
    await page.screenshot({ path: path.join(SHOTS, 'swagger-ui.png'), fullPage: false });
  });

  it("shows each peer's relay edge, eager or lazy, and follows a real prune and graft live", async () => {
    await page.goto(base + '/index.htm');
    await page.locator('#live-state', { hasText: 'live' }).waitFor();
    const first = peerNode as MegaNode;
    // A triangle (PROTOCOL 11.7): every edge starts eager.
    thirdNode = await createTestNode({}, 'browser-third');
    await connect(thirdNode, node);
    await connect(thirdNode, first);
    const cell = (address: string) => page.locator(`#peers tbody tr[data-address="${address}"] td.relay`);
    const views = (): string => JSON.stringify([node, first, thirdNode].map((n) => n?.pool.list().map((p) => `${p.httpPort}:${p.relay}`)));
    await page.locator('#peer-count', { hasText: '(2)' }).waitFor();
    for (const p of node.pool.list()) {
      await cell(p.address).waitFor();
      assert.equal(await cell(p.address).textContent(), 'eager', `expected ${p.address} eager before any version travelled the tree: ${views()}`);
    }

    // A version at a tree hop budget posted to the first peer reaches this node directly and through
    // the third node: one of the copies is a duplicate pushed unasked, and its edge is pruned.
    const TREE = TREE_MIN_CTTL + 8;
    assert.equal((await postTo(first, '/oracle', makeOracle({ keys: makeKeys(103), cTTL: TREE }))).status, 201);
    const pruned = await waitForValue(() => node.pool.list().find((p) => p.relay === 'lazy'), { message: () => `expected an edge of the page's node pruned: ${views()}` });
    const lazyNode = [first, thirdNode].find((n) => n.httpPort === pruned.httpPort) as MegaNode;
    const eagerNode = lazyNode === first ? thirdNode : first;
    // The table shows what GET /peers says, peer by peer: the pruned edge lazy, the other eager.
    await cell(pruned.address).filter({ hasText: 'lazy' }).waitFor();
    for (const p of node.pool.list()) await cell(p.address).filter({ hasText: p.relay }).waitFor();
    const eagerPeer = node.pool.list().find((p) => p.httpPort === eagerNode.httpPort);
    assert.equal(eagerPeer?.relay, 'eager', `expected node's other edge still eager: ${views()}`);
    assert.equal(await cell(eagerPeer.address).textContent(), 'eager');
    // The change came as a live event: the feed names the peer and its new state.
    await page.locator('#feed li[data-event="peer:relay"]', { hasText: pruned.address }).filter({ hasText: 'now lazy' }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'monitor-relay-lazy.png'), fullPage: true });

    // Graft: cut this node off from its eager peer, so the next version can reach it only over the
    // lazy edge (a lazy round's inv, or anti-entropy). Fetching it from a lazy peer grafts the edge.
    await waitFor(() => lazyNode.pool.list().find((p) => p.httpPort === node.httpPort)?.relay === 'lazy', { message: () => `expected the prune to reach the other end: ${views()}` });
    node.pool.block('127.0.0.1', eagerNode.p2pPort);
    eagerNode.pool.block('127.0.0.1', node.p2pPort);
    await waitFor(() => !areConnected(node, eagerNode), { message: 'node cut off from its eager peer' });
    const k = makeKeys(104);
    assert.equal((await postTo(lazyNode, '/oracle', makeOracle({ keys: k, cTTL: TREE }))).status, 201);
    await waitFor(() => hasItem(node, 'oracle', k.publicKey), { timeoutMs: 15_000, message: 'the version reached node over the lazy edge' });
    await waitFor(() => node.pool.list().find((p) => p.httpPort === lazyNode.httpPort)?.relay === 'eager', { message: () => `expected the lazy edge grafted: ${views()}` });
    await cell(pruned.address).filter({ hasText: 'eager' }).waitFor();
    await page.locator('#feed li[data-event="peer:relay"]', { hasText: pruned.address }).filter({ hasText: 'now eager' }).waitFor();
    await page.locator('#peer-count', { hasText: '(1)' }).waitFor();
  });

  it('loaded nothing from outside the node and logged no errors', () => {
    const origin = new URL(base);
    const outside = requested.filter((u) => {
      const p = new URL(u);
      if (p.protocol === 'data:' || p.protocol === 'blob:') return false;
      return p.host !== origin.host;
    });
    assert.deepEqual(outside, []);
    assert.equal(requested.some((u) => u === `ws://${origin.host}/events`), true, 'the page used the live feed');
    assert.deepEqual(problems, []);
    assert.deepEqual(failed, ['POST /oracle 400']);
  });
});
