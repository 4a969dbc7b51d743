/** service/own-reports.ts - the reports a node builds itself (a DLC fault its admission found, a fact-conflict between answers it verified): mined at the node's own powThresholdReports and submitted through the one door like any reporter's. Reports are unsigned, so the node is one more reporter; what proves them is inside. Imports protocol only. */
import { minePowSync, reportPreimage } from '../protocol/pow.ts';
import { minePow } from '../protocol/pow-miner.ts';
import type { Report, ReportContent } from '../protocol/types.ts';

/** Hop limit of a report a node builds itself: far enough to cross any test or real topology, like an ad's default. */
export const OWN_REPORT_CTTL = 16;
/** Up to this difficulty a node mines its own report on the main thread (a 16-bit PoW takes ~30 ms); above, on a worker. */
const SYNC_MINE_MAX_DIFFICULTY = 16;
/** Own reports mined and submitted at once, at most (each is one PoW; more wait for the next occasion). */
export const MAX_OWN_REPORTS_IN_FLIGHT = 64;

/** The report against `oraclePubKey` with `content`, mined at `difficulty`. Two nodes that find one fault build the same content, hence the same report id. */
export async function buildOwnReport(oraclePubKey: string, content: ReportContent, difficulty: number): Promise<Report> {
  const base = { oraclePubKey, content };
  const preimage = reportPreimage(base);
  const pow = difficulty <= SYNC_MINE_MAX_DIFFICULTY ? minePowSync(preimage, difficulty) : await minePow(preimage, difficulty, { workers: 1 });
  return { oraclePubKey, seqNo: 0, cTTL: OWN_REPORT_CTTL, pow, content };
}
