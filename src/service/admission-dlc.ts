/** service/admission-dlc.ts - the admission rules of DLC announcements and attestations and of a capability's `dlc` binding (docs/PROTOCOL.md "DLC oracles"), cheapest check first; faults found on the way are kept as evidence. Synchronous; called by service/admission.ts. Imports protocol, dlc and mempool. */
import { checkEquivocation, checkNonceReuse, decodeAnnouncement, decodeAttestation, DlcError, isXOnlyPoint, fromHex, verifyAnnouncement, verifyAttestation, type OracleAnnouncement } from '../dlc/index.ts';
import { announcementPreimage, checkPow } from '../protocol/pow.ts';
import type { Announcement, Attestation, OracleCapability, Verified } from '../protocol/types.ts';
import type { CapabilityLookup } from '../protocol/verify.ts';
import type { Mempool } from '../mempool/mempool.ts';
import type { DlcEvidenceStore, DlcProof } from './dlc-evidence.ts';
import { fromAdd, rejected, type AdmissionResult } from './types.ts';

/** The config slice of these rules. */
export interface DlcAdmissionOptions {
  /** Minimum PoW difficulty of an announcement. */
  powThresholdAnnouncements: number;
  /** Latest accepted maturity, from now (ms). */
  maxAnnouncementHorizonMs: number;
}

/** Defaults of {@link DlcAdmissionOptions} (config/schema.ts documents them). */
export const DEFAULT_DLC_ADMISSION: Readonly<DlcAdmissionOptions> = Object.freeze({ powThresholdAnnouncements: 0, maxAnnouncementHorizonMs: 400 * 24 * 3600 * 1000 });

/** Collaborators. */
export interface DlcAdmissionDeps {
  mempool: Mempool;
  lookupCapability: CapabilityLookup;
  evidence: DlcEvidenceStore;
  now: () => number;
  /** A fault was proven (new evidence kept): the service emits `report:proof`. */
  onProof: (p: DlcProof) => void;
  /** Pass a refused item on anyway (the evidence it carries must reach every node). */
  relayUnstored: (kind: 'announcement' | 'attestation', id: string, version: string, msg: Announcement | Attestation) => void;
}

const describe = (e: DlcError): string => `${e.code}: ${e.message}`;

/**
 * A capability's `dlc` binding: an x-only point on the curve that is neither key of the capability
 * (one key, one signature world: an ECDSA key reused for BIP340 would mix the two). Null when fine
 * or absent.
 */
export function checkDlcBinding(c: OracleCapability): Extract<AdmissionResult, { status: 'rejected' }> | null {
  if (!c.dlc) return null;
  const key = c.dlc.oracleKey;
  if (key === c.oraclePubKey.slice(2) || key === c.capabilityPubKey.slice(2)) {
    return rejected('capability', c.capabilityPubKey, 'dlc-key-reuse', 'dlc.oracleKey is the x coordinate of oraclePubKey or capabilityPubKey; the DLC key must be a key of its own');
  }
  if (!isXOnlyPoint(fromHex(key))) return rejected('capability', c.capabilityPubKey, 'capability-invalid', 'dlc.oracleKey is not the x coordinate of a secp256k1 point');
  return null;
}

/** Admission of the two DLC entity kinds. */
export class DlcRules {
  private opts: DlcAdmissionOptions;
  private readonly deps: DlcAdmissionDeps;

  constructor(opts: Partial<DlcAdmissionOptions>, deps: DlcAdmissionDeps) {
    this.opts = { ...DEFAULT_DLC_ADMISSION, ...opts };
    this.deps = deps;
  }

  /** Change the limits at run time (SIGHUP); applies to the next admission. */
  configure(opts: Partial<DlcAdmissionOptions>): void {
    this.opts = { ...this.opts, ...opts };
  }

  /** schema (done) → decode → duplicate → PoW → rank → capability → key → maturity → signature → nonce index → store. */
  admitAnnouncement(a: Announcement, id: string, version: string): AdmissionResult {
    const { mempool } = this.deps;
    let decoded: OracleAnnouncement;
    try {
      decoded = decodeAnnouncement(a.announcement);
    } catch (e) {
      if (e instanceof DlcError) return rejected('announcement', id, 'dlc-invalid', `announcement: ${describe(e)}`);
      throw e;
    }
    const pre = mempool.precheckAnnouncement(a, id, decoded.event.maturityEpoch);
    if (pre?.status === 'duplicate') return { status: 'duplicate', kind: 'announcement', id };
    const why = checkPow(a.pow, announcementPreimage(a, id));
    if (why !== null) return rejected('announcement', id, 'pow-invalid', `pow: ${why} (preimage oraclePubKey + capabilityPubKey + id)`);
    if (a.pow.difficulty < this.opts.powThresholdAnnouncements) {
      return rejected('announcement', id, 'pow-below-threshold', `pow.difficulty ${a.pow.difficulty} is below this node's minimum ${this.opts.powThresholdAnnouncements} for announcement`);
    }
    if (pre) return fromAdd('announcement', id, pre);
    const cap = this.deps.lookupCapability(a.oraclePubKey, a.capabilityPubKey);
    if (!cap) return rejected('announcement', id, 'unknown-capability', 'the capability of this announcement is not known to this node; submit it first');
    if (!cap.dlc) return rejected('announcement', id, 'capability-not-dlc', 'the capability binds no dlc key (capability.dlc)');
    if (decoded.oracleKey !== cap.dlc.oracleKey) return rejected('announcement', id, 'dlc-key-mismatch', "the announcement's oracle_public_key is not the capability's dlc.oracleKey");
    if (decoded.event.maturityEpoch * 1000 > this.deps.now() + this.opts.maxAnnouncementHorizonMs) {
      return rejected('announcement', id, 'maturity-too-far', `event_maturity_epoch is more than maxAnnouncementHorizonMs (${this.opts.maxAnnouncementHorizonMs} ms) ahead`);
    }
    const bad = verifyAnnouncement(decoded, cap.dlc.signingVersion);
    if (bad) return rejected('announcement', id, bad.code === 'bad-signature' ? 'dlc-signature-invalid' : 'dlc-invalid', `announcement under ${cap.dlc.signingVersion}: ${describe(bad)}`);
    for (const nonce of decoded.event.nonces) {
      const other = mempool.announcementByNonce(decoded.oracleKey, nonce);
      if (!other || other.id === id) continue;
      this.keepNonceReuse(other.id, other.msg, other.decoded, id, a, decoded, cap.dlc.signingVersion, version);
      return rejected('announcement', id, 'dlc-nonce-reuse', `nonce ${nonce} is already committed by stored announcement ${other.id} of this oracle key`);
    }
    return fromAdd('announcement', id, mempool.addAnnouncement(a as Verified<Announcement>, id, decoded, cap.dlc.signingVersion, cap.question, version));
  }

  /** schema (done) → decode → announcement stored → duplicate → verify → equivocation → store. */
  admitAttestation(t: Attestation, id: string, version: string): AdmissionResult {
    let decoded;
    try {
      decoded = decodeAttestation(t.attestation);
    } catch (e) {
      if (e instanceof DlcError) return rejected('attestation', id, 'dlc-invalid', `attestation: ${describe(e)}`);
      throw e;
    }
    const ann = this.deps.mempool.getAnnouncement(t.announcementId);
    if (!ann) return rejected('attestation', id, 'announcement-not-found', 'no stored announcement has this announcementId');
    if (ann.attestation?.id === id) return { status: 'duplicate', kind: 'attestation', id };
    const bad = verifyAttestation(ann.decoded, decoded, ann.signingVersion);
    if (bad) return rejected('attestation', id, 'dlc-attestation-invalid', `attestation of ${ann.id} under ${ann.signingVersion}: ${describe(bad)}`);
    if (ann.attestation) {
      const proof = checkEquivocation(ann.decoded, ann.attestation.decoded, decoded, ann.signingVersion);
      if (proof instanceof DlcError) return rejected('attestation', id, 'dlc-attestation-invalid', `a second attestation that proves nothing: ${describe(proof)}`);
      const evidence = { attestations: [ann.attestation.msg, t] as [Attestation, Attestation], index: proof.index, nonce: proof.nonce };
      if (this.deps.evidence.addEquivocation(ann.id, evidence)) {
        this.deps.onProof({ type: 'dlc-equivocation', oracleKey: ann.decoded.oracleKey, oraclePubKey: ann.msg.oraclePubKey, announcementId: ann.id, evidence });
        this.deps.relayUnstored('attestation', ann.id, version, t);
      }
      return rejected('attestation', id, 'dlc-equivocation', `announcement ${ann.id} is attested with other outcomes (nonce ${proof.index}): the oracle equivocated; the first attestation is kept and the pair is evidence`);
    }
    return fromAdd('attestation', id, this.deps.mempool.addAttestation(t as Verified<Attestation>, id, decoded, version));
  }

  private keepNonceReuse(
    firstId: string,
    first: Announcement,
    firstDecoded: OracleAnnouncement,
    secondId: string,
    second: Announcement,
    secondDecoded: OracleAnnouncement,
    version: Parameters<typeof checkNonceReuse>[2],
    secondVersion: string,
  ): void {
    const proof = checkNonceReuse(firstDecoded, secondDecoded, version);
    if (proof instanceof DlcError) return; // the stored one was signed under another version: no proof to keep
    const evidence = { announcements: [first, second] as [Announcement, Announcement], nonce: proof.nonce };
    if (!this.deps.evidence.addNonceReuse(firstId, secondId, evidence)) return;
    this.deps.onProof({ type: 'dlc-nonce-reuse', oracleKey: firstDecoded.oracleKey, oraclePubKey: first.oraclePubKey, announcementIds: [firstId, secondId], evidence });
    this.deps.relayUnstored('announcement', secondId, secondVersion, second);
  }
}
