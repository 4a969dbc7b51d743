// test/helpers/assert-admission.ts - assertions on service admission results shared by the admission tests.
import assert from 'node:assert/strict';
import type { AdmissionResult } from '../../src/service/types.ts';

/** `r` is a rejection with this reason code and ban score, and a message for humans. */
export function assertRejected(r: AdmissionResult, reason: string, banScore: number): void {
  assert.equal(r.status, 'rejected', JSON.stringify(r));
  if (r.status !== 'rejected') return;
  assert.equal(r.reason, reason, r.message);
  assert.equal(r.banScore, banScore);
  assert.equal(typeof r.message, 'string');
}
