/**
 * contract/contract-info.ts - the dlcspecs `contract_info` sub-type of offer_dlc (Messaging.md):
 * single_contract_info with an enumerated or numeric_outcome contract_descriptor (PayoutCurve.md
 * polynomial pieces, NumericOutcome.md rounding intervals) and a single_oracle_info carrying the
 * oracle_announcement (through dlc's codec). Disjoint contract info, multi-oracle info and
 * hyperbola pieces are refused with `bad-message`. Imports contract and dlc.
 */
import { decodeAnnouncement, encodeAnnouncement } from '../dlc/codec.ts';
import { TLV_ORACLE_ANNOUNCEMENT } from '../dlc/constants.ts';
import { DlcError } from '../dlc/errors.ts';
import type { OracleAnnouncement } from '../dlc/types.ts';
import { MAX_CETS, MAX_CURVE_POINTS } from './constants.ts';
import { ContractError } from './errors.ts';
import type { MsgReader, MsgWriter } from './msg-codec.ts';
import type { CurvePoint, NumericPayoutCurve } from './numeric.ts';
import type { ContractDescriptor } from './plan.ts';

/** Sibling sub-type prefixes (bigsize) of Messaging.md. */
const SINGLE_CONTRACT_INFO = 0;
const DISJOINT_CONTRACT_INFO = 1;
const ENUMERATED_DESCRIPTOR = 0;
const NUMERIC_DESCRIPTOR = 1;
const SINGLE_ORACLE_INFO = 0;
const MULTI_ORACLE_INFO = 1;
const POLYNOMIAL_PIECE = 0;
const HYPERBOLA_PIECE = 1;
/** Bytes of one payout point on the wire: u64 event_outcome, u64 outcome_payout, u16 extra_precision. */
const POINT_BYTES = 18;

const bad = (message: string): ContractError => new ContractError('bad-message', message);

/** What contract_info carries, in Mega's shapes. */
export interface ContractInfo {
  totalCollateral: bigint;
  descriptor: ContractDescriptor;
  announcement: OracleAnnouncement;
}

function writePoint(w: MsgWriter, p: CurvePoint, what: string): void {
  // extra_precision is always 0: Mega's curve points are whole satoshis.
  w.u64(p.outcome, `${what} event_outcome`).u64(p.payout, `${what} outcome_payout`).u16(0);
}

function readPoint(r: MsgReader, what: string): CurvePoint {
  const outcome = r.u64(`${what} event_outcome`);
  const payout = r.u64(`${what} outcome_payout`);
  const extra = r.u16(`${what} extra_precision`);
  if (extra !== 0) throw bad(`${what} extra_precision ${extra}: only whole-satoshi payout points are supported`);
  return { outcome, payout };
}

function writeCurve(w: MsgWriter, c: NumericPayoutCurve): void {
  // The decoder's limits, so that what we send is what a Mega peer accepts.
  if (c.points.length < 2 || c.points.length - 1 > MAX_CURVE_POINTS) throw new ContractError('bad-terms', `a payout curve has 1..${MAX_CURVE_POINTS} pieces`);
  if (c.rounding.length > MAX_CURVE_POINTS || (c.midpoints ?? []).some((m) => (m?.length ?? 0) > MAX_CURVE_POINTS)) {
    throw new ContractError('bad-terms', `at most ${MAX_CURVE_POINTS} rounding intervals and midpoints per piece`);
  }
  w.bigsize(c.points.length - 1);
  for (let i = 0; i < c.points.length - 1; i++) {
    writePoint(w, c.points[i]!, `endpoint ${i}`);
    const mids = c.midpoints?.[i] ?? [];
    w.bigsize(POLYNOMIAL_PIECE).bigsize(mids.length);
    mids.forEach((m, k) => writePoint(w, m, `piece ${i} point ${k}`));
  }
  writePoint(w, c.points[c.points.length - 1]!, 'last endpoint');
  w.bigsize(c.rounding.length);
  c.rounding.forEach((x, i) => w.u64(x.begin, `rounding interval ${i} begin`).u64(x.mod, `rounding interval ${i} mod`));
}

function readCurve(r: MsgReader): NumericPayoutCurve {
  // Each piece is at least an endpoint and a 2-byte piece header.
  const pieces = r.count('num_pieces', MAX_CURVE_POINTS, POINT_BYTES + 2);
  if (pieces === 0) throw bad('payout_function: num_pieces must be at least 1');
  const points: CurvePoint[] = [];
  const midpoints: CurvePoint[][] = [];
  for (let i = 0; i < pieces; i++) {
    points.push(readPoint(r, `endpoint ${i}`));
    const type = r.bigsize(`payout_curve_piece ${i} type`);
    if (type === HYPERBOLA_PIECE) throw bad(`payout_curve_piece ${i}: hyperbola pieces are not supported`);
    if (type !== POLYNOMIAL_PIECE) throw bad(`payout_curve_piece ${i}: unknown type ${type}`);
    const n = r.count(`payout_curve_piece ${i} num_pts`, MAX_CURVE_POINTS, POINT_BYTES);
    const mids: CurvePoint[] = [];
    for (let k = 0; k < n; k++) mids.push(readPoint(r, `piece ${i} point ${k}`));
    midpoints.push(mids);
  }
  points.push(readPoint(r, 'last endpoint'));
  const n = r.count('num_rounding_intervals', MAX_CURVE_POINTS, 16);
  const rounding = [];
  for (let i = 0; i < n; i++) rounding.push({ begin: r.u64(`rounding interval ${i} begin_interval`), mod: r.u64(`rounding interval ${i} rounding_mod`) });
  return { points, midpoints, rounding };
}

function nbDigitsOf(a: OracleAnnouncement): number | null {
  const d = a.event.descriptor;
  return d.kind === 'digits' ? d.nbDigits : null;
}

/** Append `contract_info` (single contract, single oracle). */
export function writeContractInfo(w: MsgWriter, c: ContractInfo): void {
  w.bigsize(SINGLE_CONTRACT_INFO).u64(c.totalCollateral, 'total_collateral');
  const d = c.descriptor;
  if (d.kind === 'enum') {
    if (d.payouts.length > MAX_CETS) throw new ContractError('bad-terms', `at most ${MAX_CETS} enum outcomes`);
    w.bigsize(ENUMERATED_DESCRIPTOR).bigsize(d.payouts.length);
    d.payouts.forEach((p, i) => w.string(p.outcome, `outcome ${i}`).u64(p.offer, `payout ${i}`));
  } else {
    const nb = nbDigitsOf(c.announcement);
    if (nb === null) throw new ContractError('bad-terms', 'a numeric contract needs a digit-decomposition event');
    w.bigsize(NUMERIC_DESCRIPTOR).u16(nb, 'num_digits');
    writeCurve(w, d.curve);
  }
  w.bigsize(SINGLE_ORACLE_INFO);
  let ann: Uint8Array;
  try {
    ann = encodeAnnouncement(c.announcement);
  } catch (e) {
    throw new ContractError('bad-terms', `oracle_announcement does not encode: ${(e as Error).message}`);
  }
  w.bytes(ann);
}

/** The oracle_announcement TLV (type 55332) at the reader's position, through dlc's strict codec. */
function readAnnouncement(r: MsgReader): OracleAnnouncement {
  const start = r.position();
  const type = r.bigsize('oracle_announcement type');
  if (type !== TLV_ORACLE_ANNOUNCEMENT) throw bad(`oracle_announcement: expected TLV type ${TLV_ORACLE_ANNOUNCEMENT}, got ${type}`);
  r.view(r.bigsize('oracle_announcement length'), 'oracle_announcement');
  try {
    return decodeAnnouncement(r.since(start));
  } catch (e) {
    if (e instanceof DlcError) throw bad(`oracle_announcement: ${e.message}`);
    throw e;
  }
}

/** Read `contract_info`; refuses what Mega cannot settle (disjoint, multi-oracle, hyperbola) by name. */
export function readContractInfo(r: MsgReader): ContractInfo {
  const kind = r.bigsize('contract_info type');
  if (kind === DISJOINT_CONTRACT_INFO) throw bad('contract_info: disjoint_contract_info is not supported (single contracts only)');
  if (kind !== SINGLE_CONTRACT_INFO) throw bad(`contract_info: unknown type ${kind}`);
  const totalCollateral = r.u64('total_collateral');
  const dk = r.bigsize('contract_descriptor type');
  let descriptor: ContractDescriptor;
  let numDigits: number | null = null;
  if (dk === ENUMERATED_DESCRIPTOR) {
    // An outcome is at least a 1-byte length and a u64 payout.
    const n = r.count('num_outcomes', MAX_CETS, 9);
    const payouts = [];
    for (let i = 0; i < n; i++) payouts.push({ outcome: r.string(`outcome ${i}`), offer: r.u64(`payout ${i}`) });
    descriptor = { kind: 'enum', payouts };
  } else if (dk === NUMERIC_DESCRIPTOR) {
    numDigits = r.u16('num_digits');
    descriptor = { kind: 'numeric', curve: readCurve(r) };
  } else throw bad(`contract_descriptor: unknown type ${dk}`);
  const ok = r.bigsize('oracle_info type');
  if (ok === MULTI_ORACLE_INFO) throw bad('oracle_info: multi_oracle_info is not supported (single oracle only)');
  if (ok !== SINGLE_ORACLE_INFO) throw bad(`oracle_info: unknown type ${ok}`);
  const announcement = readAnnouncement(r);
  if (numDigits !== null && numDigits !== nbDigitsOf(announcement)) {
    throw bad(`num_digits ${numDigits} differs from the announced event's nb_digits (${nbDigitsOf(announcement) ?? 'not a digit event'})`);
  }
  return { totalCollateral, descriptor, announcement };
}
