// test/browser/monitor-scale.test.ts - the monitoring page with 20,000 oracles in headless Chromium at 1280 px and 390 px: totals, page count, first/last/jump paging against GET /monitor/oracles, question, tags and standing per row (conflicted oracles last), limits as configured, accepted / new, recent rejections, the history charts and an oracle's DLC announcements (upcoming, attested with outcome). Screenshots: test-output/browser/.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { MegaNode } from '../../src/node.ts';
import type { EntityKind } from '../../src/protocol/types.ts';
import { makeCapability, makeKeys, makeOracle, makeReport, type KeyPair } from '../helpers/factory.ts';
import { makeDlcAttestation, makeDlcEvent, makeDlcOracle } from '../helpers/dlc.ts';
import { createTestNode } from '../helpers/network.ts';

const CHROMIUM = process.env.MEGA_CHROMIUM ?? '/usr/bin/chromium';
const SKIP = process.env.MEGA_SKIP_BROWSER_TEST === '1';
const SHOTS = path.resolve('test-output/browser');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ORACLES = 20_000;
const CONFLICTED = 3;
const TAGS = 50;

interface PageBody {
  total: number;
  pages: number;
  oracles: { pubkey: string; questions: string[]; tags: string[]; standing: { conflicted: boolean } }[];
}

/** Admit `items` through the service (the one admission door) a batch at a time; every one must be accepted. */
async function admitAll(node: MegaNode, items: [EntityKind, unknown][]): Promise<void> {
  const BATCH = 2000;
  for (let i = 0; i < items.length; i += BATCH) {
    const results = await Promise.all(items.slice(i, i + BATCH).map(([kind, body]) => node.service.admit(kind, body)));
    const bad = results.filter((r) => r.status !== 'accepted');
    assert.deepEqual(bad.slice(0, 3), [], `expected every item accepted, got ${bad.length} refused`);
  }
}

describe('monitoring page with 20,000 oracles', { skip: SKIP ? 'MEGA_SKIP_BROWSER_TEST=1' : false }, () => {
  let node: MegaNode;
  let base: string;
  let dataDir: string;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  const oracleKeys: KeyPair[] = [];
  const dlc = makeDlcOracle(990_001, 'dlcspecs-v0', 'Will it rain in Lisbon on Friday?');
  const later = Math.floor(Date.now() / 1000) + 14 * 24 * 3600;
  const upcoming = makeDlcEvent(dlc, { maturityEpoch: later, eventId: 'lisbon-rain-fri' });
  const attestedEvent = makeDlcEvent(dlc, { maturityEpoch: later + 3600, eventId: 'lisbon-rain-sat' });

  const api = async (p: string): Promise<PageBody> => (await fetch(base + p)).json() as Promise<PageBody>;

  before(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium, or set MEGA_CHROMIUM=<path>; MEGA_SKIP_BROWSER_TEST=1 skips this test`);
    fs.mkdirSync(SHOTS, { recursive: true });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-scale-'));
    // Journal fsync batched (the default interval): the load is what is measured, not the disk.
    node = await createTestNode({ maxOracles: 25_000, dataDir, journalFsyncIntervalMs: 1000 }, 'scale');
    base = `http://127.0.0.1:${node.httpPort}`;

    // 20,000 real signed oracles, each with one capability, at PoW 0 (rank ties are broken by key).
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const items: [EntityKind, unknown][] = [];
    for (let i = 0; i < ORACLES; i++) {
      const keys = makeKeys(500_000 + i);
      oracleKeys.push(keys);
      items.push(['oracle', makeOracle({ keys, difficulty: 0, tags: [`region-${i % TAGS}`] })]);
      items.push(['capability', makeCapability({ oracleKeys: keys, capKeys: makeKeys(700_000 + i), question: `Will sensor ${i} read above ${i % 97} tomorrow?`, difficulty: 0, tags: ['sensor'] })]);
    }
    const built = performance.now();
    await admitAll(node, items);
    // A few verified conflicts: those oracles go to the end of the list.
    const conflicts: [EntityKind, unknown][] = [];
    for (let i = 0; i < CONFLICTED; i++) conflicts.push(['report', makeReport({ type: 'fact-conflict', oraclePubKey: oracleKeys[i]!.publicKey, capKeys: makeKeys(700_000 + i), args: { q: '1' } })]);
    await admitAll(node, conflicts);
    await admitAll(node, [
      ['oracle', dlc.oracle],
      ['capability', dlc.capability],
      ['announcement', upcoming.entity],
      ['announcement', attestedEvent.entity],
      ['attestation', makeDlcAttestation(dlc, attestedEvent, ['sun'])],
    ]);
    const loaded = performance.now();
    const cpu = process.cpuUsage(cpu0);
    // Wall time depends on what else the machine runs; CPU seconds (this process and its verifier threads) do not.
    console.log(`# built ${ORACLES} oracles + capabilities in ${((built - t0) / 1000).toFixed(1)} s, admitted in ${((loaded - built) / 1000).toFixed(1)} s (wall); ${((cpu.user + cpu.system) / 1e6).toFixed(1)} CPU s in all`);
    assert.equal(node.service.counts().oracles, ORACLES + 1);

    // One refusal by REST, shown in the recent rejections.
    const bad = { ...makeOracle({ keys: makeKeys(999_999), difficulty: 0 }), pow: { difficulty: 1, algorithm: 'SHA256', hash: 'f'.repeat(64), magicNo: 0 } };
    assert.equal((await fetch(base + '/oracle', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bad) })).status, 422);

    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
  });

  after(async () => {
    await context?.close().catch(() => undefined);
    await node?.stop();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** The pubkeys the page lists now. */
  const listed = (): Promise<string[]> => page.locator('#oracles li.oracle').evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.pubkey ?? ''));

  it('shows the total, the page count and rows with question, tags and standing (1280 px)', async () => {
    await page.goto(base + '/');
    await page.locator('#oracle-total', { hasText: '20,001 oracles · showing 1–10' }).waitFor();
    assert.equal(await page.textContent('#pages'), '2,001');
    assert.equal(await page.locator('#oracles li.oracle').count(), 10);
    // The best-ranked oracle is the DLC one (PoW 2): its question, and no proofs.
    const first = page.locator('#oracles li.oracle').first();
    assert.equal(await first.getAttribute('data-pubkey'), dlc.oracleKeys.publicKey);
    assert.equal(await first.locator('.questions li').first().textContent(), 'Will it rain in Lisbon on Friday?');
    // Every other row shows its capability's question, its tags and its standing.
    const second = page.locator('#oracles li.oracle').nth(1);
    assert.match((await second.locator('.questions li').first().textContent()) ?? '', /^Will sensor \d+ read above \d+ tomorrow\?$/);
    assert.deepEqual((await second.locator('.tag').allTextContents()).slice(-1), ['sensor']);
    assert.equal(await second.locator('.standing').textContent(), 'no proofs');
    // Limits as the config names them, not arithmetic on them.
    await page.locator('#mempool tbody tr[data-type="capabilities"] td.limit', { hasText: 'maxCapabilities 100 entries per oracle' }).waitFor();
    assert.equal(await page.locator('#mempool tbody tr[data-type="oracles"] td.limit').textContent(), 'maxOracles 25000 entries');
    // accepted / new: 20,001 accepted of 20,002 new oracles (the bad-PoW one), whatever was already known.
    assert.equal(await page.locator('#rates tbody tr[data-type="oracle"] td').last().textContent(), '20001 / 20002 (100.0 %)');
    // The REST refusal in the recent rejections, with its reason and door.
    const rej = page.locator('#rejections tbody tr[data-reason="pow-invalid"]');
    await rej.waitFor();
    assert.match((await rej.locator('td').nth(3).textContent()) ?? '', /^rest 127\.0\.0\.1/);
    // The history charts are drawn: this minute holds the load. A load inside one minute is a lone point,
    // drawn as a zero-length polyline (a dot by its round caps) that has no box Playwright calls visible.
    await page.locator('#h-admissions svg polyline.line, #h-admissions svg circle').first().waitFor({ state: 'attached' });
    assert.match((await page.locator('#h-admissions .legend-item').first().textContent()) ?? '', /^accepted [\d,]+$/);
    // The range buttons ask for 24 h: the time axis then starts a day before it ends.
    const fromLabel = page.locator('#h-admissions .chart-axis span').first();
    const hourFrom = await fromLabel.textContent();
    await page.click('#history-range button[data-minutes="1440"]');
    await page.locator('#history-range button[data-minutes="1440"][aria-pressed="true"]').waitFor();
    await page.waitForFunction((before) => document.querySelector('#h-admissions .chart-axis span')?.textContent !== before, hourFrom);
    const [from, to] = await page.locator('#h-admissions .chart-axis span').allTextContents();
    assert.notEqual(from, to);
    await page.locator('#res-disk').filter({ hasNotText: 'no data folder' }).filter({ hasText: /B$/ }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'scale-desktop.png'), fullPage: true });
  });

  it('pages to the last page (conflicted oracles last) and jumps to any page, matching the API', async () => {
    await page.click('#last');
    await page.locator('#page', { hasText: '2,001' }).waitFor();
    await page.locator('#oracle-total', { hasText: 'showing 20,001–20,001' }).waitFor();
    const lastPage = await api('/monitor/oracles?page=2000&chunkSize=10');
    assert.deepEqual(await listed(), lastPage.oracles.map((o) => o.pubkey));
    assert.equal(await page.locator('#oracles li.oracle .standing').textContent(), 'conflicted: 1 proof');
    // The page before the last ends with the conflicted oracles (default order: proofs last).
    await page.click('#prev');
    await page.locator('#page', { hasText: '2,000' }).waitFor();
    const conflicted = page.locator('#oracles li.oracle .standing.standing-conflicted');
    await conflicted.first().waitFor();
    // 20,001 rows, the last CONFLICTED conflicted: one on the last page, the rest end this one.
    assert.equal(await conflicted.count(), CONFLICTED - 1);
    const pills = await page.locator('#oracles li.oracle .standing').allTextContents();
    assert.deepEqual(pills.slice(-3), ['no proofs', 'conflicted: 1 proof', 'conflicted: 1 proof']);

    await page.fill('#jump-page', '1234');
    await page.click('#jump button[type=submit]');
    await page.locator('#page', { hasText: '1,234' }).waitFor();
    const want = await api('/monitor/oracles?page=1233&chunkSize=10');
    await page.waitForFunction((first) => (document.querySelector('#oracles li.oracle') as HTMLElement | null)?.dataset.pubkey === first, want.oracles[0]!.pubkey);
    assert.deepEqual(await listed(), want.oracles.map((o) => o.pubkey));
    await page.locator('#oracle-total', { hasText: 'showing 12,331–12,340' }).waitFor();

    // A tag narrows the total; the pager follows.
    await page.fill('#search input[name=tag]', 'region-7');
    await page.click('#search button[type=submit]');
    await page.locator('#oracle-total', { hasText: `${ORACLES / TAGS} oracles · showing 1–10` }).waitFor();
    assert.equal(await page.textContent('#pages'), String(ORACLES / TAGS / 10));
    await page.fill('#search input[name=tag]', '');
    await page.click('#search button[type=submit]');
    await page.locator('#oracle-total', { hasText: '20,001 oracles' }).waitFor();
  });

  it('shows an oracle\'s announcements: upcoming, and attested with its outcome', async () => {
    const li = page.locator(`#oracles li[data-pubkey="${dlc.oracleKeys.publicKey}"]`);
    await li.waitFor();
    await li.locator('summary').click();
    await li.locator('.ann-upcoming li.announcement .event-id', { hasText: 'lisbon-rain-fri' }).waitFor();
    await li.locator('.ann-attested li.announcement .outcome', { hasText: 'attested outcome: sun' }).waitFor();
    assert.equal(await li.locator('.ann-attested li.announcement .event-id').textContent(), 'lisbon-rain-sat');
    assert.equal(await li.locator('.ann-upcoming li.announcement').count(), 1, 'the attested event is not listed as upcoming');
    await li.screenshot({ path: path.join(SHOTS, 'scale-announcements.png') });
  });

  it('fits a phone (390 px): no sideways scrolling, paging and the jump still work', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('#oracles li.oracle').first().waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390);
    await page.fill('#jump-page', '2000');
    await page.click('#jump button[type=submit]');
    await page.locator('#page', { hasText: '2,000' }).waitFor();
    await page.locator('#oracles li.oracle .standing.standing-conflicted').first().waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390, 'no sideways scrolling after paging');
    await page.screenshot({ path: path.join(SHOTS, 'scale-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('logged no page errors', () => {
    assert.deepEqual(problems, []);
  });
});
