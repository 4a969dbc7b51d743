// test/unit/oracle-facts/fact-server.test.ts - the oracle's fact endpoint on loopback: a fact that verifies, every error code with its status, body/rate/concurrency limits, one answer per request, and the source's failures as 503/422, never 500.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KeyFileSigner } from '../../../src/oracle/signer.ts';
import { startFactServer, type FactServer, type FactServerLimits } from '../../../src/oracle-facts/fact-server.ts';
import type { CapabilityEntry } from '../../../src/oracle-facts/fact-desk.ts';
import type { FactRequest } from '../../../src/protocol/types.ts';
import { makeKeys } from '../../helpers/factory.ts';
import { waitFor } from '../../helpers/wait.ts';
import { assertFactVerifies, codeOf, post, silentLog } from './_helpers.ts';

const capKeys = makeKeys(41);
const signer = KeyFileSigner.fromHex(capKeys.privateKey);
const LIMITS: FactServerLimits = { maxBodyBytes: 4096, ratePerMinutePerClient: 0, maxConcurrent: 8, resolveTimeoutMs: 2000 };

/** A capability "Will it rain in {city} on {date}?" answering from a table; counts source calls. */
function rainCapability(over: Partial<CapabilityEntry> = {}): CapabilityEntry & { calls: FactRequest[] } {
  const calls: FactRequest[] = [];
  return {
    signer,
    params: [
      { name: 'city', values: ['Zurich', 'Geneva'] },
      { name: 'date', values: [] },
    ],
    answers: ['yes', 'no'],
    calls,
    resolve: async (r) => {
      calls.push(r);
      return r.arguments.city === 'Zurich' ? 'yes' : 'no';
    },
    ...over,
  };
}

const request = (args: Record<string, string> = { city: 'Zurich', date: '2026-12-01' }): FactRequest => ({ capabilityPubKey: capKeys.publicKey, arguments: args });

describe('fact endpoint: POST /facts', () => {
  const servers: FactServer[] = [];
  const start = async (entry: CapabilityEntry, limits: Partial<FactServerLimits> = {}) => {
    const s = await startFactServer({ host: '127.0.0.1', port: 0, capabilities: new Map([[capKeys.publicKey, entry]]), limits: { ...LIMITS, ...limits }, log: silentLog });
    servers.push(s);
    return `${s.url}/facts`;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('answers a request with a fact signed by the capability key that the node verifier and @noble/curves accept', async () => {
    const cap = rainCapability();
    const url = await start(cap);
    const a = await post(url, { request: request() });
    assert.equal(a.status, 200, `expected 200, got ${a.status} ${a.text}`);
    assertFactVerifies(a.body.fact, request(), 'yes');
    assert.deepEqual(cap.calls, [request()], 'the data source must be asked once, with the request arguments');
    const b = await post(url, { request: request({ date: '2026-12-01', city: 'Geneva' }) });
    assertFactVerifies(b.body.fact, request({ city: 'Geneva', date: '2026-12-01' }), 'no');
  });

  it('one answer per request: asked again (also concurrently) it returns the same fact and asks the source once', async () => {
    let calls = 0;
    let answer = 'yes';
    const cap = rainCapability({
      resolve: async () => {
        calls += 1;
        await new Promise((r) => setImmediate(r));
        return answer;
      },
    });
    const url = await start(cap);
    const r = request({ city: 'Geneva', date: '2027-01-01' });
    const [a, b] = await Promise.all([post(url, { request: r }), post(url, { request: r })]);
    answer = 'no'; // a source that changed its mind must not produce a second, conflicting fact
    const c = await post(url, { request: { arguments: { date: '2027-01-01', city: 'Geneva' }, capabilityPubKey: capKeys.publicKey } });
    assert.equal(calls, 1, 'concurrent and repeated identical requests must share one source call');
    assert.deepEqual(b.body.fact, a.body.fact, 'concurrent identical requests get the same fact');
    assert.equal((c.body.fact as { answer: string }).answer, 'yes', 'a request asked again (other member order) gets the fact signed first');
  });

  it('refuses malformed bodies with machine-readable 400 codes and never calls the source', async () => {
    const cap = rainCapability();
    const url = await start(cap);
    const cases: [unknown, number, string, string][] = [
      ['{"request":', 400, 'invalid-json', 'truncated JSON'],
      [[1, 2], 400, 'schema-violation', 'an array'],
      [{}, 400, 'schema-violation', 'no request'],
      [{ request: request(), extra: 1 }, 400, 'schema-violation', 'an unknown member'],
      [{ request: { capabilityPubKey: capKeys.publicKey } }, 400, 'schema-violation', 'request without arguments'],
      [{ request: { ...request(), arguments: { city: 5 } } }, 400, 'schema-violation', 'a non-string argument'],
      [{ request: request(), paymentHash: 'AB'.repeat(32) }, 400, 'schema-violation', 'an uppercase paymentHash'],
      [{ request: request(), invoice: 'not-an-invoice' }, 400, 'schema-violation', 'a malformed invoice'],
      ['{"request":{"capabilityPubKey":"' + capKeys.publicKey + '","arguments":{"city":"\\ud800"}}}', 400, 'schema-violation', 'a lone surrogate'],
      [{ request: { capabilityPubKey: makeKeys(99).publicKey, arguments: {} } }, 400, 'unknown-capability', 'a capability this oracle does not have'],
      [{ request: request({ city: 'Zurich' }) }, 400, 'arguments-mismatch', 'a missing argument'],
      [{ request: request({ city: 'Zurich', date: 'x', hour: '3' }) }, 400, 'arguments-mismatch', 'an undeclared argument'],
      [{ request: request({ city: 'Bern', date: 'x' }) }, 400, 'arguments-mismatch', 'a value outside the declared values'],
    ];
    for (const [body, status, code, what] of cases) {
      const a = await post(url, body);
      assert.equal(a.status, status, `${what}: expected ${status}, got ${a.status} ${a.text}`);
      assert.equal(codeOf(a), code, `${what}: expected code ${code}, got ${a.text}`);
    }
    assert.equal(cap.calls.length, 0, 'no refused request may reach the data source');
  });

  it('413 for a body over maxBodyBytes, 415 for another media type or a compressed body, 404 and 405 elsewhere', async () => {
    const url = await start(rainCapability(), { maxBodyBytes: 300 });
    const big = await post(url, { request: request({ city: 'Zurich', date: 'x'.repeat(400) }) });
    assert.equal(big.status, 413, `expected 413, got ${big.status}`);
    assert.equal(codeOf(big), 'body-too-large');
    const text = await post(url, 'request', { 'content-type': 'text/plain' });
    assert.deepEqual([text.status, codeOf(text)], [415, 'unsupported-media-type']);
    const gz = await post(url, JSON.stringify({ request: request() }), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    assert.deepEqual([gz.status, codeOf(gz)], [415, 'unsupported-media-type'], 'a compressed body is refused, not inflated');
    const get = await post(url, null, {}, 'GET');
    assert.deepEqual([get.status, codeOf(get), get.headers.get('allow')], [405, 'method-not-allowed', 'POST']);
    const other = await post(url.replace('/facts', '/other'), { request: request() });
    assert.deepEqual([other.status, codeOf(other)], [404, 'not-found']);
  });

  it('429 with Retry-After past ratePerMinutePerClient', async () => {
    const url = await start(rainCapability(), { ratePerMinutePerClient: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(url, { request: request() })).status);
    assert.deepEqual(statuses, [200, 200, 200, 429], 'the fourth request of the minute must be refused');
    const a = await post(url, { request: request() });
    assert.equal(codeOf(a), 'rate-limited');
    const wait = Number(a.headers.get('retry-after'));
    assert.ok(wait >= 1 && wait <= 60, `Retry-After must be 1-60 seconds, got ${a.headers.get('retry-after')}`);
  });

  it('503 busy with Retry-After when maxConcurrent requests are in progress; the slot frees afterwards', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let entered = 0;
    const url = await start(
      rainCapability({
        resolve: async () => {
          entered += 1;
          await gate;
          return 'yes';
        },
      }),
      { maxConcurrent: 1 },
    );
    const first = post(url, { request: request() });
    // The first request holds the only slot while its source call waits.
    await waitFor(() => entered === 1, { timeoutMs: 5000, message: 'the first request reached the source' });
    const busy = await post(url, { request: request({ city: 'Geneva', date: 'x' }) });
    assert.deepEqual([busy.status, codeOf(busy), busy.headers.get('retry-after')], [503, 'busy', '5']);
    release();
    assert.equal((await first).status, 200);
    assert.equal((await post(url, { request: request({ city: 'Geneva', date: 'x' }) })).status, 200, 'the slot must be free again');
  });

  it("the source's failures: throw → 503 source-failed, too slow → 503 source-timeout, null → 422 no-answer, a disallowed answer → 503; never 500", async () => {
    const behaviours: Record<string, () => Promise<string | null>> = {
      throw: async () => {
        throw new Error('upstream down');
      },
      slow: () => new Promise(() => undefined),
      none: async () => null,
      maybe: async () => 'maybe',
    };
    const url = await start(rainCapability({ params: [{ name: 'mode', values: [] }], resolve: (r) => (behaviours[r.arguments.mode as string] as () => Promise<string | null>)() }), { resolveTimeoutMs: 100 });
    const expect: [string, number, string][] = [
      ['throw', 503, 'source-failed'],
      ['slow', 503, 'source-timeout'],
      ['none', 422, 'no-answer'],
      ['maybe', 503, 'source-failed'],
    ];
    for (const [mode, status, code] of expect) {
      const a = await post(url, { request: request({ mode }) });
      assert.deepEqual([a.status, codeOf(a)], [status, code], `${mode}: expected ${status} ${code}, got ${a.status} ${a.text}`);
      if (status === 503) assert.equal(a.headers.get('retry-after'), '5', `${mode}: a 503 carries Retry-After`);
    }
  });
});
