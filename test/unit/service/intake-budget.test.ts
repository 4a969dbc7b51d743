// test/unit/service/intake-budget.test.ts - owns the intake back-pressure bounds: a peer is paused past its entity or byte bound or the total byte bound, resumed only below the lower resume bounds, and a peer held for the total alone resumes when the total drains.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IntakeBudget, INTAKE_LIMITS, type Holdable, type IntakeLimits } from '../../../src/service/intake-budget.ts';

/** A peer that records its hold calls. */
class Reader implements Holdable {
  held = false;
  calls: boolean[] = [];
  hold(on: boolean): void {
    this.held = on;
    this.calls.push(on);
  }
}

const LIMITS: IntakeLimits = { peerEntities: 4, peerEntitiesResume: 1, peerBytes: 1000, peerBytesResume: 250, totalBytes: 1500, totalBytesResume: 600 };

describe('intake budget', () => {
  it('pauses a peer at its entity bound and resumes it only at the resume bound', () => {
    const b = new IntakeBudget<Reader>(LIMITS);
    const p = new Reader();
    for (let i = 0; i < 3; i++) b.add(p, 1);
    assert.equal(p.held, false, 'expected p.held to be false');
    b.add(p, 1);
    assert.equal(p.held, true, 'expected p.held to be true');
    b.remove(p, 1);
    b.remove(p, 1);
    assert.equal(p.held, true, 'still above the resume bound');
    b.remove(p, 1);
    assert.equal(p.held, false, 'expected p.held to be false');
    assert.deepEqual(p.calls, [true, false]);
  });

  it('pauses a peer at its byte bound even with few entities', () => {
    const b = new IntakeBudget<Reader>(LIMITS);
    const p = new Reader();
    b.add(p, 600);
    assert.equal(p.held, false, 'expected p.held to be false');
    b.add(p, 400);
    assert.equal(p.held, true, 'expected p.held to be true');
    b.remove(p, 600);
    assert.equal(p.held, true, '400 bytes left: above the 250 resume bound');
    b.remove(p, 400);
    assert.equal(p.held, false, 'expected p.held to be false');
    assert.equal(b.totalBytes, 0);
  });

  it('pauses whichever peer adds past the total, and resumes peers held for the total alone when it drains', () => {
    const b = new IntakeBudget<Reader>(LIMITS);
    const [a, c, d] = [new Reader(), new Reader(), new Reader()];
    b.add(a, 900);
    b.add(c, 900); // total 1800 >= 1500: c is paused though its own counts are small
    assert.equal(a.held, false, 'expected a.held to be false');
    assert.equal(c.held, true, 'expected c.held to be true');
    b.add(d, 10); // d adds while the total is over: paused too
    assert.equal(d.held, true, 'expected d.held to be true');
    b.remove(d, 10); // d is empty, but the total (1800) is still over its resume bound
    assert.equal(d.held, true, 'expected d.held to be true');
    b.remove(a, 900); // total 900 > 600: nobody resumes yet
    assert.equal(c.held, true, 'expected c.held to be true');
    assert.equal(d.held, true, 'expected d.held to be true');
    b.remove(c, 900); // total 0: every peer held for the total resumes
    assert.equal(c.held, false, 'expected c.held to be false');
    assert.equal(d.held, false, 'expected d.held to be false');
    assert.equal(b.isHeld(c), false, 'expected b.isHeld(c) to be false');
  });

  it('ships bounds that leave room for a valid fast stream and bound a gigabyte of 1 MiB payloads', () => {
    assert.ok(INTAKE_LIMITS.peerEntities >= 1_000, `expected INTAKE_LIMITS.peerEntities >= 1_000, got INTAKE_LIMITS.peerEntities = ${INTAKE_LIMITS.peerEntities}`);
    assert.ok(INTAKE_LIMITS.peerBytes <= 16 * 1024 * 1024, `expected INTAKE_LIMITS.peerBytes <= 16 * 1024 * 1024, got INTAKE_LIMITS.peerBytes = ${INTAKE_LIMITS.peerBytes}`);
    assert.ok(INTAKE_LIMITS.totalBytes <= 128 * 1024 * 1024, `expected INTAKE_LIMITS.totalBytes <= 128 * 1024 * 1024, got INTAKE_LIMITS.totalBytes = ${INTAKE_LIMITS.totalBytes}`);
    for (const [hold, resume] of [
      [INTAKE_LIMITS.peerEntities, INTAKE_LIMITS.peerEntitiesResume],
      [INTAKE_LIMITS.peerBytes, INTAKE_LIMITS.peerBytesResume],
      [INTAKE_LIMITS.totalBytes, INTAKE_LIMITS.totalBytesResume],
    ]) assert.ok((resume as number) < (hold as number), 'expected (resume as number) < (hold as number)');
  });
});
