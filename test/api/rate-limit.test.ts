// test/api/rate-limit.test.ts - REST rate limit per client address: 429 with Retry-After after the burst, refill over time (fake clock), loopback exempt by default, bounded tracking.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import request from 'supertest';
import { isLoopback, rateLimit, RateLimiter } from '../../src/api/rate-limit.ts';

describe('RateLimiter', () => {
  it('allows the burst, then answers the wait until the next token, and refills with time', () => {
    let t = 1_000_000;
    const rl = new RateLimiter({ perSecond: 2, burst: 3, limitLoopback: false }, () => t);
    assert.deepEqual([rl.take('10.0.0.1'), rl.take('10.0.0.1'), rl.take('10.0.0.1')], [0, 0, 0]);
    assert.equal(rl.take('10.0.0.1'), 500);
    assert.equal(rl.take('10.0.0.2'), 0, 'another address has its own bucket');
    t += 500;
    assert.equal(rl.take('10.0.0.1'), 0);
    assert.equal(rl.take('::ffff:10.0.0.1'), 500, 'IPv4-mapped is the same address');
  });

  it('takeUpTo grants what the bucket holds, at most n, and the wait when short (a batch: one token per entity)', () => {
    let t = 1_000_000;
    const rl = new RateLimiter({ perSecond: 4, burst: 5, limitLoopback: true }, () => t);
    assert.deepEqual(rl.takeUpTo('10.0.0.1', 3), { granted: 3, waitMs: 0 });
    assert.deepEqual(rl.takeUpTo('10.0.0.1', 3), { granted: 2, waitMs: 250 });
    assert.equal(rl.take('10.0.0.1'), 250, 'expected the bucket emptied by the batches');
    t += 500;
    assert.deepEqual(rl.takeUpTo('10.0.0.1', 0), { granted: 0, waitMs: 0 });
    assert.deepEqual(rl.takeUpTo('10.0.0.1', 9), { granted: 2, waitMs: 250 });
    const free = new RateLimiter({ perSecond: 1, burst: 1, limitLoopback: false }, () => t);
    assert.deepEqual(free.takeUpTo('127.0.0.1', 1000), { granted: 1000, waitMs: 0 }, 'expected loopback exempt');
    const off = new RateLimiter({ perSecond: 0, burst: 1, limitLoopback: true }, () => t);
    assert.deepEqual(off.takeUpTo('10.0.0.1', 1000), { granted: 1000, waitMs: 0 }, 'expected no limit at 0');
  });

  it('exempts loopback unless limitLoopback, and 0 disables the limit', () => {
    const t = 0;
    const free = new RateLimiter({ perSecond: 1, burst: 1, limitLoopback: false }, () => t);
    for (let i = 0; i < 100; i++) assert.equal(free.take('127.0.0.1') + free.take('::1') + free.take('::ffff:127.0.0.5'), 0);
    const strict = new RateLimiter({ perSecond: 1, burst: 1, limitLoopback: true }, () => t);
    assert.equal(strict.take('127.0.0.1'), 0);
    assert.equal(strict.take('127.0.0.1'), 1000);
    const off = new RateLimiter({ perSecond: 0, burst: 1, limitLoopback: true }, () => t);
    for (let i = 0; i < 100; i++) assert.equal(off.take('10.1.1.1'), 0);
    assert.deepEqual(['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1', '10.0.0.1', '::2', '1.127.0.0'].map(isLoopback), [true, true, true, true, false, false, false]);
  });

  it('tracks a bounded number of addresses under a flood of distinct ones', () => {
    let t = 0;
    const rl = new RateLimiter({ perSecond: 1, burst: 2, limitLoopback: false, maxTracked: 100 }, () => t);
    for (let i = 0; i < 10_000; i++) {
      rl.take(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
      t++;
    }
    assert.ok(rl.size <= 100, `expected rl.size <= 100, got rl.size = ${rl.size}`);
  });
});

describe('rateLimit middleware', () => {
  it('answers 429 with Retry-After and the error body once a client is over its budget', async () => {
    const app = express();
    app.use(rateLimit(new RateLimiter({ perSecond: 1, burst: 2, limitLoopback: true }, () => 0)));
    app.get('/x', (_req, res) => void res.json({ ok: true }));
    const agent = request(app);
    assert.equal((await agent.get('/x')).status, 200);
    assert.equal((await agent.get('/x')).status, 200);
    const res = await agent.get('/x');
    assert.equal(res.status, 429);
    assert.equal(res.headers['retry-after'], '1');
    assert.equal((res.body as { error: { code: string } }).error.code, 'rate-limited');
  });
});
