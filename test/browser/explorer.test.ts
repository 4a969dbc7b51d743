// test/browser/explorer.test.ts - the explorer page (/explorer/) in headless Chromium against a running node: directory search, an oracle page (DLC key, announcements, reports by class, charts), an event page with its attestation and countdown, the fact-request form answered by a real HTTP oracle endpoint (and its 402), at 1280 and 390 px; network text shown as text; nothing loaded from outside, no console or CSP errors. Screenshots: test-output/explorer-*.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { MegaNode } from '../../src/node.ts';
import { signObject } from '../../src/protocol/sign.ts';
import type { FactRequest } from '../../src/protocol/types.ts';
import { makeDlcAttestation, makeDlcEvent, makeDlcOracle } from '../helpers/dlc.ts';
import { enumTerms, makeOffer, makerKeys } from '../helpers/offer.ts';
import { makeCapability, makeDispute, makeFact, makeKeys, makeOracle, makeReport, reportId } from '../helpers/factory.ts';
import { createTestNode } from '../helpers/network.ts';
import { waitFor } from '../helpers/wait.ts';

const CHROMIUM = process.env.MEGA_CHROMIUM ?? '/usr/bin/chromium';
const SKIP = process.env.MEGA_SKIP_BROWSER_TEST === '1';
const SHOTS = path.resolve('test-output');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const HOSTILE = '<img src=x onerror=alert(1)>';
const PAID_HASH = 'cd'.repeat(32);
const INVOICE = 'lnbcrt10n1explorertestinvoice';
/** A well-formed oracle key no ad is stored for. */
const UNKNOWN = `02${'ab'.repeat(32)}`;

/** A real HTTP fact endpoint on loopback (PROTOCOL 10.8): POST /facts answers a fact signed with the capability key; Berlin asks to be paid first. */
class FactEndpoint {
  readonly seen: FactRequest[] = [];
  /** Served at GET /manifest.json: an oracle's website manifest (PROTOCOL 10.4). */
  manifest = '';
  private server: http.Server | null = null;
  constructor(private readonly capKeys: ReturnType<typeof makeKeys>) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const send = (status: number, b: unknown): void => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(b));
        };
        if (req.url === '/manifest.json' && req.method === 'GET' && this.manifest !== '') {
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(this.manifest);
        }
        if (req.url !== '/facts' || req.method !== 'POST') return send(404, { code: 'not-found' });
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request: FactRequest; paymentHash?: string };
        this.seen.push(body.request);
        if (body.request.arguments.city === 'Berlin' && body.paymentHash !== PAID_HASH) {
          return send(402, { code: 'payment-required', invoice: INVOICE, paymentHash: PAID_HASH, expiresAt: 1893456000 });
        }
        send(200, { fact: makeFact({ capKeys: this.capKeys, args: body.request.arguments, answer: answerFor(body.request.arguments.city ?? '') }) });
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

const answerFor = (city: string): string => (city === 'Paris' ? '14.5 °C' : '9 °C');

describe('explorer page in Chromium', { skip: SKIP ? 'MEGA_SKIP_BROWSER_TEST=1' : false }, () => {
  let node: MegaNode;
  let base: string;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  const requested: string[] = [];
  const problems: string[] = [];
  const failed: string[] = [];
  // Oracle A: a DLC capability (rain), a fact capability with an endpoint (temperature), a hostile question; a hostile tag.
  const dlc = makeDlcOracle(7401, 'dlcspecs-v0', 'Will it rain in Berlin tomorrow?');
  const tempKeys = makeKeys(7402);
  const hostileCapKeys = makeKeys(7403);
  const endpoint = new FactEndpoint(tempKeys);
  // Oracle B: sports only, so a search for "rain" leaves it out.
  const otherKeys = makeKeys(7404);
  const oldKeysB = makeKeys(7406);
  const nowEpoch = Math.floor(Date.now() / 1000);
  const past = makeDlcEvent(dlc, { maturityEpoch: nowEpoch - 3600, eventId: 'rain-yesterday' });
  const future = makeDlcEvent(dlc, { maturityEpoch: nowEpoch + 2 * 86400, eventId: 'rain-tomorrow' });
  const pubA = dlc.oracleKeys.publicKey;

  const post = async (p: string, body: unknown, want: number): Promise<void> => {
    const res = await fetch(base + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, want, `expected POST ${p} to answer ${want}, got ${res.status}: ${await res.text()}`);
  };

  /** At the current width nothing scrolls sideways. */
  const assertNoOverflow = async (what: string): Promise<void> => {
    const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.equal(scroll, width, `expected no horizontal overflow on the ${what} (scrollWidth ${scroll}, viewport ${width})`);
  };

  /** Screenshots at desktop and phone width, and no overflow at either. */
  const shoot = async (name: string): Promise<void> => {
    await assertNoOverflow(`${name} page at 1280 px`);
    await page.screenshot({ path: path.join(SHOTS, `explorer-${name}-desktop.png`), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await assertNoOverflow(`${name} page at 390 px`);
      await page.screenshot({ path: path.join(SHOTS, `explorer-${name}-phone.png`), fullPage: true });
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  };

  before(async () => {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} not found: apt-get install -y chromium (as .ci/run does), or set MEGA_CHROMIUM=<path>; MEGA_SKIP_BROWSER_TEST=1 skips this test`);
    }
    fs.mkdirSync(SHOTS, { recursive: true });
    await endpoint.start();
    node = await createTestNode();
    base = `http://127.0.0.1:${node.httpPort}`;

    await post('/oracle', makeOracle({ keys: dlc.oracleKeys, tags: ['weather', HOSTILE] }), 201);
    await post('/capability', dlc.capability, 201);
    await post('/capability', makeCapability({ oracleKeys: dlc.oracleKeys, capKeys: tempKeys, question: 'Temperature in a city at noon?', params: [{ name: 'city', values: ['Paris', 'Berlin'] }], endpoint: endpoint.url, tags: ['temperature'] }), 201);
    await post('/capability', makeCapability({ oracleKeys: dlc.oracleKeys, capKeys: hostileCapKeys, question: `Is ${HOSTILE} shown as text?`, tags: ['<b>bold</b>'] }), 201);
    await post('/announcement', past.entity, 201);
    await post('/announcement', future.entity, 201);
    await post('/attestation', makeDlcAttestation(dlc, past, ['sun']), 201);
    // Reports of three classes: a proof (two signed answers to one request), an open claim, an answered claim.
    await post('/report', makeReport({ type: 'fact-conflict', oraclePubKey: pubA, capKeys: tempKeys, args: { city: 'Rome' } }), 201);
    await post('/report', makeReport({ type: 'fact-missing', oraclePubKey: pubA, capKeys: tempKeys, args: { city: 'Oslo' } }), 201);
    const answered = makeReport({ type: 'fact-missing', oraclePubKey: pubA, capKeys: tempKeys, args: { city: 'Lima' } });
    await post('/report', answered, 201);
    await post('/dispute', makeDispute({ reportId: reportId(answered), oraclePubKey: pubA, fact: makeFact({ capKeys: tempKeys, args: { city: 'Lima' }, answer: '21 °C' }) }), 201);

    // B rotated to its current key from an older one (PROTOCOL 4.4): the old ad first, then the new one linking it.
    const oldB = makeOracle({ keys: oldKeysB, tags: ['sports'] });
    await post('/oracle', oldB, 201);
    // B's website manifest, served by the same loopback server ("localhost", allowed on a test node).
    const m = { domain: 'localhost', pubkey: otherKeys.publicKey, signatureType: 'ecdsa-secp256k1' as const };
    endpoint.manifest = JSON.stringify({ ...m, signature: signObject(m, 'signature', otherKeys.privateKey) });
    const manifestUri = `http://localhost:${new URL(endpoint.url).port}/manifest.json`;
    await post('/oracle', makeOracle({ keys: otherKeys, tags: ['sports'], previous: { oracle: oldB, keys: oldKeysB }, manifestUri }), 201);
    await post('/capability', makeCapability({ oracleKeys: otherKeys, capKeys: makeKeys(7405), question: 'Who wins the final?' }), 201);

    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    context.on('request', (r) => requested.push(r.url()));
    context.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`);
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    // CSP violations ("Refused to execute inline script…") are console errors too.
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
    });
  });

  after(async () => {
    await context?.close().catch(() => undefined);
    await node?.stop();
    await endpoint.stop();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  it('is served at /explorer/ (and /explorer redirects there) under the page CSP', async () => {
    const res = await fetch(`${base}/explorer/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/, 'expected the page CSP on the explorer');
    assert.match(await res.text(), /<title>Mega explorer<\/title>/);
    const bare = await fetch(`${base}/explorer`, { redirect: 'manual' });
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.get('location'), '/explorer/');
  });

  it('lists every oracle with a total, then searches by a question word and keeps the search in the URL', async () => {
    await page.goto(`${base}/explorer/`);
    await page.locator('#result-summary', { hasText: '3 oracles stored' }).waitFor();
    assert.equal(await page.textContent('#page-no'), 'page 1 of 1');
    assert.equal(await page.locator('#oracle-list > li').count(), 3);

    await page.fill('#search input[name=q]', 'rain');
    await page.click('#search button[type=submit]');
    await page.locator('#result-summary', { hasText: '1 matching oracle on page 1' }).waitFor();
    assert.equal(new URL(page.url()).hash, '#/?q=rain');
    const items = page.locator('#oracle-list > li');
    assert.equal(await items.count(), 1, 'expected only the oracle with a rain question');
    assert.equal(await items.first().getAttribute('data-pubkey'), pubA);
    assert.equal(await page.textContent('#page-no'), 'page 1', 'a filtered search has no total');
    // The hostile tag and question are text, never markup.
    await items.locator('.tag', { hasText: HOSTILE }).waitFor();
    await items.locator('.question', { hasText: 'Will it rain in Berlin tomorrow?' }).waitFor();
    assert.deepEqual(await page.evaluate(() => [document.querySelectorAll('img').length, document.querySelectorAll('b').length]), [0, 0]);

    // A tag search and the standing filter: the conflicted oracle A is hidden.
    await page.goto(`${base}/explorer/#/?tag=sports`);
    await page.locator(`#oracle-list > li[data-pubkey="${otherKeys.publicKey}"]`).waitFor();
    await page.goto(`${base}/explorer/#/?exclude=conflicted`);
    // The previous view (tag=sports) lists the same oracles: wait for this view's own form state.
    await page.locator('#directory:has(input[name=exclude]:checked) #result-summary', { hasText: '2 matching oracles on page 1' }).waitFor();
    assert.deepEqual((await page.locator('#oracle-list > li').evaluateAll((l) => l.map((e) => e.getAttribute('data-pubkey')))).sort(), [otherKeys.publicKey, oldKeysB.publicKey].sort(), 'expected the conflicted oracle left out');
    assert.equal(await page.isChecked('#search input[name=exclude]'), true);
    // Page jump past the end: an empty page, reached by the jump form.
    await page.fill('#page-jump input', '3');
    await page.click('#page-jump button');
    await page.locator('#result-summary', { hasText: 'No oracles on page 3.' }).waitFor();
    assert.equal(new URL(page.url()).hash, '#/?page=3&exclude=conflicted');

    await page.goto(`${base}/explorer/#/?q=rain`);
    await page.locator('#result-summary', { hasText: '1 matching oracle on page 1' }).waitFor();
    await shoot('directory');
  });

  it('shows an oracle page: identity, capabilities with the DLC key, announcements with outcomes, reports by class, charts', async () => {
    await page.click(`#oracle-list > li[data-pubkey="${pubA}"] a.key`);
    await page.locator('#identity .badge', { hasText: 'conflicted: 1 proof' }).waitFor();
    assert.equal(new URL(page.url()).hash, `#/oracle/${pubA}`);
    await page.locator('#identity', { hasText: '2 bits (SHA256)' }).waitFor();
    await page.locator('#identity', { hasText: 'not verifiable by this node' }).waitFor();
    assert.equal(await page.textContent('#manifest-state'), 'no website manifest');
    await page.locator('#identity .tag', { hasText: HOSTILE }).waitFor();

    const rain = page.locator(`#capabilities li[data-capability="${dlc.capKeys.publicKey}"]`);
    assert.equal(await rain.locator('.dlc-key').textContent(), dlc.oracleKey, 'expected the capability DLC key');
    await rain.locator('dd', { hasText: 'dlcspecs-v0' }).waitFor();
    await page.locator('#capabilities .question', { hasText: `Is ${HOSTILE} shown as text?` }).waitFor();

    const upcoming = page.locator(`#upcoming li[data-announcement="${future.id}"]`);
    assert.equal(await upcoming.locator('.event-id').textContent(), 'rain-tomorrow');
    const attested = page.locator(`#attested li[data-announcement="${past.id}"]`);
    assert.equal(await attested.locator('.outcome').textContent(), 'sun');
    // The timeline counts one attested and one open event.
    assert.deepEqual(await page.locator('#announcements svg rect.bar-attested').evaluateAll((r) => r.map((e) => e.getAttribute('data-count'))), ['1']);
    assert.deepEqual(await page.locator('#announcements svg rect.bar-open').evaluateAll((r) => r.map((e) => e.getAttribute('data-count'))), ['1']);

    // Reports by class, each list under its class, the dispute's answer shown; the chart has the same counts.
    assert.equal(await page.locator('#reports ul[data-class="proof"] .report-type').textContent(), 'fact-conflict');
    assert.equal(await page.locator('#reports ul[data-class="claim"] .report-type').textContent(), 'fact-missing');
    assert.equal(await page.locator('#reports ul[data-class="answered"] .dispute').textContent(), 'answered: 21 °C');
    const bars = await page.locator('#reports svg rect.bar').evaluateAll((r) => r.map((e) => `${e.getAttribute('data-label')}=${e.getAttribute('data-value')}`));
    assert.deepEqual(bars, ['proofs (self-proving)=1', 'paid claims=0', 'claims=1', 'answered claims=1']);
    assert.deepEqual(await page.evaluate(() => [document.querySelectorAll('img').length, document.querySelectorAll('b').length]), [0, 0]);
    await shoot('oracle');
  });

  it('shows an event page with its attestation, outcome, nonces and a live countdown', async () => {
    await page.click(`#attested li[data-announcement="${past.id}"] a.event-id`);
    await page.locator('#outcome', { hasText: 'sun' }).waitFor();
    assert.equal(new URL(page.url()).hash, `#/event/${past.id}`);
    await page.locator('#event .question', { hasText: 'Will it rain in Berlin tomorrow?' }).waitFor();
    assert.equal(await page.locator('#nonces li').count(), 1);
    assert.equal(await page.locator('#nonces li code').textContent(), past.ann.event.nonces[0]);
    assert.deepEqual(await page.locator('#descriptor .outcomes li').allTextContents(), ['rain', 'sun', 'snow']);
    await page.locator('#countdown', { hasText: /^matured 1h \d+m \d+s ago$/ }).waitFor();
    await shoot('event');

    // The past event takes no offers: its card says so.
    await page.locator('#offers', { hasText: 'No open offers on this event.' }).waitFor();

    // The future event counts down, second by second, and lists its open offer; the contact (network text) shows as text.
    const hostileContact = `http://maker.example/${HOSTILE}`;
    const offer = makeOffer(makerKeys(7401), enumTerms(future, nowEpoch, { contact: hostileContact }));
    await post('/offer', offer, 201);
    await page.goto(`${base}/explorer/#/event/${future.id}`);
    await page.locator('#outcome', { hasText: 'Not attested yet.' }).waitFor();
    await page.locator('#offers h2', { hasText: 'Open offers (1)' }).waitFor();
    assert.equal(await page.locator('#offers .offer-contact').textContent(), hostileContact, 'expected the contact shown verbatim as text');
    assert.equal(await page.locator('#offers img').count(), 0, 'expected no element made from the contact text');
    assert.match((await page.locator('#offers .offer-terms').textContent()) ?? '', /maker locks 60000 sat, taker locks 40000 sat on bitcoin-regtest/, 'expected the collaterals');
    assert.deepEqual(await page.locator('#offers .offer-payouts li').allTextContents(), ['rain: maker 100000 / taker 0', 'sun: maker 0 / taker 100000', 'snow: maker 0 / taker 100000'], 'expected one payout line per outcome');
    const first = await page.textContent('#countdown');
    assert.match(first ?? '', /^matures in 1d 23h \d+m \d+s$/);
    await page.waitForFunction((t) => document.getElementById('countdown')?.textContent !== t, first, { timeout: 5000 });
    await shoot('event-upcoming');
  });

  it('asks a fact through the node and shows the verified answer, then an invoice for a paid question', async () => {
    await page.goto(`${base}/explorer/#/oracle/${pubA}`);
    const temp = page.locator(`#capabilities li[data-capability="${tempKeys.publicKey}"]`);
    await temp.locator('details.ask summary').click();
    await temp.locator('select[name=city]').selectOption('Paris');
    await temp.locator('form.fact-form button[type=submit]').click();
    await temp.locator('.fact-answer', { hasText: '14.5 °C' }).waitFor();
    const expected = makeFact({ capKeys: tempKeys, args: { city: 'Paris' }, answer: '14.5 °C' });
    assert.equal(await temp.locator('.fact-signature').textContent(), expected.signature, 'expected the signature of the capability key');
    await temp.locator('.fact-result', { hasText: 'Verified by this node' }).waitFor();
    assert.deepEqual(endpoint.seen.map((r) => r.arguments), [{ city: 'Paris' }], 'expected one request at the oracle endpoint, through the node');
    await shoot('fact');

    await temp.locator('select[name=city]').selectOption('Berlin');
    await temp.locator('form.fact-form button[type=submit]').click();
    await temp.locator('.fact-result.pay .invoice', { hasText: INVOICE }).waitFor();
    assert.equal(await temp.locator('input[name=paymentHash]').inputValue(), PAID_HASH, 'expected the payment hash filled in for the second try');
    await temp.locator('form.fact-form button[type=submit]').click();
    await temp.locator('.fact-answer', { hasText: '9 °C' }).waitFor();
    await shoot('fact-paid');
  });

  it('shows a numeric event: its digits descriptor, one nonce per digit and the attested value', async () => {
    const temp = makeDlcEvent(dlc, { maturityEpoch: nowEpoch + 3 * 86400, eventId: 'berlin-noon-temp', descriptor: { kind: 'digits', base: 10, isSigned: false, unit: 'C', precision: 0, nbDigits: 3 } });
    await post('/announcement', temp.entity, 201);
    await post('/attestation', makeDlcAttestation(dlc, temp, ['0', '1', '7']), 201);
    await page.goto(`${base}/explorer/#/event/${temp.id}`);
    await page.locator('#outcome', { hasText: '17' }).waitFor();
    assert.equal(await page.textContent('#outcome'), '17', 'expected the digits read in base 10');
    await page.locator('#descriptor dd', { hasText: 'numeric: 3 digits in base 10' }).waitFor();
    await page.locator('#descriptor dd', { hasText: '0 … 999 C' }).waitFor();
    assert.equal(await page.locator('#nonces li').count(), 3, 'expected one nonce per digit');
    await shoot('event-digits');
  });

  it('shows the rotation chain both ways and a verified website manifest', async () => {
    // The node checks the manifest in the background after admission.
    await waitFor(async () => ((await (await fetch(`${base}/oracles/${otherKeys.publicKey}`)).json()) as { manifestVerified: boolean }).manifestVerified, { timeoutMs: 10_000, intervalMs: 100, message: 'the node verifying oracle B manifest' });
    await page.goto(`${base}/explorer/#/?manifest=verified`);
    await page.locator('#directory:has(input[name=manifest]:checked) #result-summary', { hasText: '1 matching oracle on page 1' }).waitFor();
    assert.deepEqual(await page.locator('#oracle-list > li').evaluateAll((l) => l.map((e) => e.getAttribute('data-pubkey'))), [otherKeys.publicKey]);
    await page.click(`#oracle-list > li[data-pubkey="${otherKeys.publicKey}"] a.key`);
    await page.locator('#manifest-state', { hasText: 'verified: localhost' }).waitFor();
    await shoot('oracle-rotated');
    await page.locator(`#rotation-chain ol.keys a[href="#/oracle/${oldKeysB.publicKey}"]`).waitFor();
    await page.click(`#rotation-chain ol.keys a[href="#/oracle/${oldKeysB.publicKey}"]`);
    await page.locator(`#rotation-chain .rotated a[href="#/oracle/${otherKeys.publicKey}"]`).waitFor();
    assert.equal(await page.textContent('#rotation-chain .rotated .badge'), 'rotated to ');
  });

  it('shows equivocation evidence on the event page once the oracle attests two outcomes', async () => {
    await post('/attestation', makeDlcAttestation(dlc, future, ['rain']), 201);
    const res = await fetch(`${base}/attestation`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(makeDlcAttestation(dlc, future, ['snow'])) });
    assert.equal(res.status, 422, 'expected the second attestation refused');
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'dlc-equivocation');
    // The node builds the proof report itself (mined, then admitted): wait until it is stored.
    await waitFor(async () => ((await (await fetch(`${base}/announcements/${future.id}`)).json()) as { equivocation: unknown }).equivocation !== null, { message: 'the equivocation proof report stored' });
    await page.goto(`${base}/explorer/#/event/${future.id}`);
    await page.locator('#outcome', { hasText: 'rain' }).waitFor();
    await page.locator('#evidence .alert', { hasText: 'Equivocation: the oracle signed two different outcomes' }).waitFor();
    await page.goto(`${base}/explorer/#/oracle/${pubA}`);
    await page.locator('#identity .badge', { hasText: /conflicted: \d+ proofs?/ }).waitFor();
    assert.equal(await page.locator('#upcoming').count(), 0, 'expected no event awaiting attestation');
    await page.goto(`${base}/explorer/#/event/${future.id}`);
    await page.locator('#evidence .alert').waitFor();
    await shoot('event-equivocation');
  });

  it('shows an unknown oracle as not stored', async () => {
    await page.goto(`${base}/explorer/#/oracle/${UNKNOWN}`);
    await page.locator('#view-error', { hasText: 'Not stored on this node (oracle-not-found).' }).waitFor();
  });

  it('loaded nothing from outside the node and logged no errors', () => {
    const origin = new URL(base);
    const outside = requested.filter((u) => {
      const p = new URL(u);
      return p.protocol !== 'data:' && p.protocol !== 'blob:' && p.host !== origin.host;
    });
    assert.deepEqual(outside, []);
    assert.deepEqual(problems, []);
    // The only failures: the oracle 402 passed through, and the unknown oracle (its page, reputation and listings).
    assert.deepEqual([...new Set(failed)].sort(), [`GET /oracles/${UNKNOWN} 404`, `GET /oracles/${UNKNOWN}/reputation 404`, 'POST /fact-requests 402'].sort());
  });
});
