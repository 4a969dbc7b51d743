// test/unit/api/metrics-counts.test.ts - owns the check that admission outcomes counted between scrapes (api/metrics.ts pending counts) reach mega_admissions_total and mega_rejected_total exactly once, in first-seen order.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NodeMetrics } from '../../../src/api/metrics.ts';
import { rejected, type AdmissionResult } from '../../../src/service/types.ts';

function metrics(): NodeMetrics {
  return new NodeMetrics({ counts: () => ({ oracles: 0, capabilities: 0, reports: 0, disputes: 0 }), peers: { list: () => [], totals: () => ({ bytesIn: 0, bytesOut: 0 }) } as never, liveClients: () => 0 });
}

/** The `name{labels} value` lines of one metric family, in exposition order. */
async function lines(m: NodeMetrics, name: string): Promise<string[]> {
  return (await m.render()).split('\n').filter((l) => l.startsWith(`${name}{`));
}

const accepted = (kind: 'oracle' | 'report'): AdmissionResult => ({ status: 'accepted', kind, id: 'x' }) as AdmissionResult;

describe('admission counters', () => {
  it('count every outcome once across scrapes, rejections by reason too', async () => {
    const m = metrics();
    m.recordAdmission(accepted('report'));
    m.recordAdmission(accepted('oracle'));
    m.recordAdmission(accepted('report'));
    m.recordAdmission(rejected('oracle', 'k', 'pow-invalid', 'bad pow'));
    assert.deepEqual(await lines(m, 'mega_admissions_total'), ['mega_admissions_total{type="report",result="accepted"} 2', 'mega_admissions_total{type="oracle",result="accepted"} 1', 'mega_admissions_total{type="oracle",result="rejected"} 1'], 'first scrape: what was counted, in first-seen order');
    assert.deepEqual(await lines(m, 'mega_admissions_total'), ['mega_admissions_total{type="report",result="accepted"} 2', 'mega_admissions_total{type="oracle",result="accepted"} 1', 'mega_admissions_total{type="oracle",result="rejected"} 1'], 'a second scrape with nothing new adds nothing');
    m.recordAdmission(accepted('report'));
    m.recordAdmission(rejected('oracle', 'k', 'pow-invalid', 'bad pow'));
    m.recordAdmission(rejected('report', 'r', 'unknown-oracle', 'no oracle'));
    assert.deepEqual(await lines(m, 'mega_admissions_total'), ['mega_admissions_total{type="report",result="accepted"} 3', 'mega_admissions_total{type="oracle",result="accepted"} 1', 'mega_admissions_total{type="oracle",result="rejected"} 2', 'mega_admissions_total{type="report",result="rejected"} 1'], 'later outcomes are added to the totals');
    assert.deepEqual(await lines(m, 'mega_rejected_total'), ['mega_rejected_total{type="oracle",reason="pow-invalid"} 2', 'mega_rejected_total{type="report",reason="unknown-oracle"} 1']);
  });

  it('show no series before the first outcome of a kind', async () => {
    const m = metrics();
    assert.deepEqual(await lines(m, 'mega_admissions_total'), []);
    assert.deepEqual(await lines(m, 'mega_rejected_total'), []);
  });
});
