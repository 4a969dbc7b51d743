// test/integration/fuzz-rest.test.ts - property-based fuzzing of every REST route of a real node (fast-check, fixed seed): random and mutated valid messages, poison keys, wrong methods and content types. Never a 5xx, never a hung request, never prototype pollution; the mempool stays within its limits.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import yaml from 'js-yaml';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { MegaNode } from '../../src/node.ts';
import { createTestNode } from '../helpers/network.ts';
import { fuzzRuns, hostileBody, validMessages } from '../helpers/fuzz.ts';

/** A request that takes longer than this counts as hung. */
const REQUEST_DEADLINE_MS = 5000;
const LIMITS = { maxOracles: 4, maxCapabilities: 3, maxReports: 3 };

let node: MegaNode;
const valid = Object.values(validMessages()) as unknown as Record<string, unknown>[];
const spec = yaml.load(fs.readFileSync(new URL('../../wolfram-mega-spec.yaml', import.meta.url), 'utf8')) as { paths: Record<string, unknown> };
// /events is a WebSocket upgrade (covered by test/api/live-events.test.ts).
const routes = Object.keys(spec.paths).filter((p) => p !== '/events');

// The admin routes are in the spec too: with a cookie file the admin API is on, so they answer 401/403
// to the fuzzer (without one they would answer 503 admin-disabled by design).
const cookieDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-fuzz-'));

before(async () => {
  node = await createTestNode({ ...LIMITS, adminCookiePath: path.join(cookieDir, '.cookie') });
});
after(async () => {
  await node.stop();
  fs.rmSync(cookieDir, { recursive: true, force: true });
});

const pathArb = fc.tuple(fc.constantFrom(...routes), fc.oneof(fc.constant(valid[0]?.pubkey as string), fc.stringMatching(/^[0-9a-f]{0,70}$/), fc.string({ maxLength: 40 }))).map(([route, param]) => route.replace(/\{[^}]+\}/g, encodeURIComponent(param)));
const queryArb = fc.dictionary(fc.constantFrom('page', 'chunkSize', 'pubkey', 'question', 'tag', 'scope', '__proto__', 'constructor', 'x'), fc.oneof(fc.string({ maxLength: 30 }), fc.integer().map(String)), { maxKeys: 4 });
const requestArb = fc.record({
  method: fc.constantFrom('GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
  path: pathArb,
  query: queryArb,
  contentType: fc.constantFrom('application/json', 'application/json', 'text/plain', 'application/json; charset=latin1', null),
  body: hostileBody(valid),
});

/** A full garbage collection (exposed at run time, so the suite needs no --expose-gc flag). */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

/** Send one fuzzed request and check the answer is below 500. */
async function fire(r: { method: string; path: string; query: Record<string, string>; contentType: string | null; body: Uint8Array | Buffer }): Promise<void> {
  const qs = new URLSearchParams(r.query).toString();
  const url = `http://127.0.0.1:${node.httpPort}${r.path}${qs ? `?${qs}` : ''}`;
  const withBody = r.method !== 'GET' && r.method !== 'OPTIONS';
  const res = await fetch(url, {
    method: r.method,
    headers: r.contentType ? { 'content-type': r.contentType } : {},
    body: withBody ? new Uint8Array(r.body) : undefined,
    signal: AbortSignal.timeout(REQUEST_DEADLINE_MS),
  });
  await res.arrayBuffer();
  assert.equal(res.status < 500, true, `${r.method} ${r.path} answered ${res.status}`);
}

describe('REST fuzzing', () => {
  it('answers every request below 500 within the deadline', async () => {
    // Seed the store so mutations of the capability, report and dispute reach deep checks.
    for (const [kind, msg] of Object.entries(validMessages())) {
      const res = await fetch(`http://127.0.0.1:${node.httpPort}/${kind}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(msg) });
      assert.equal(res.status, 201, kind);
    }
    await fc.assert(
      fc.asyncProperty(requestArb, (r) => fire(r)),
      { seed: 424242, ...fuzzRuns(300) },
    );
    assert.equal(Object.hasOwn(Object.prototype, 'polluted'), false);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const c = node.service.counts();
    assert.equal(c.oracles <= LIMITS.maxOracles, true);
    assert.equal(c.capabilities <= LIMITS.maxOracles * LIMITS.maxCapabilities, true);
    assert.equal(c.reports <= LIMITS.maxOracles * LIMITS.maxReports, true);
    const health = await fetch(`http://127.0.0.1:${node.httpPort}/health`);
    assert.equal(health.status, 200);
  });

  it('memory stays bounded: a second round of hostile requests does not grow the heap', async () => {
    const round = async (seed: number): Promise<number> => {
      await fc.assert(fc.asyncProperty(requestArb, (r) => fire(r)), { seed, ...fuzzRuns(150) });
      collectGarbage();
      return process.memoryUsage().heapUsed;
    };
    const afterFirst = await round(7001);
    const afterSecond = await round(7002);
    const growthMiB = (afterSecond - afterFirst) / 1048576;
    // Everything a request can leave behind is bounded (mempool limits, LRU caches, rate-limit table):
    // after the first round has warmed them, another round of the same size must not keep growing.
    assert.equal(growthMiB < 16, true, `heap grew ${growthMiB.toFixed(1)} MiB over a second fuzz round`);
  });

  it('rejects __proto__ and constructor keys in every entity with 4xx and stores nothing', async () => {
    const before = JSON.stringify(node.service.counts());
    for (const [kind, msg] of Object.entries(validMessages())) {
      for (const key of ['__proto__', 'constructor']) {
        const text = JSON.stringify(msg).replace(/^\{/, `{"${key}":{"polluted":"yes"},`);
        const res = await fetch(`http://127.0.0.1:${node.httpPort}/${kind}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
        const body = (await res.json()) as { error?: { code: string } };
        assert.equal(res.status >= 400 && res.status < 500, true, `${kind} with ${key}: ${res.status}`);
        assert.equal(typeof body.error?.code, 'string');
      }
    }
    assert.equal(JSON.stringify(node.service.counts()), before);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
