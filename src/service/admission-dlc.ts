/** service/admission-dlc.ts - the admission rules of DLC announcements and attestations, of a capability's `dlc` binding and of a fact-missing's `announcementId` (docs/PROTOCOL.md "DLC oracles", 8.3), cheapest check first; a fault found on the way is handed on to be reported (service/dlc-evidence.ts). Synchronous; called by service/admission.ts, which also has it gather the BIP340 checks of a DLC message for the verifier threads before admission. Imports protocol, dlc, mempool and util. */
import {
  checkEquivocation,
  checkNonceReuse,
  decodeAnnouncement,
  decodeAttestation,
  DlcError,
  isXOnlyPoint,
  fromHex,
  verifyAnnouncement,
  verifyAttestation,
  verifyAttestationSignatures,
  type OracleAnnouncement,
  type OracleAttestation,
  type SigningVersion,
} from '../dlc/index.ts';
import { announcementPreimage, checkPow } from '../protocol/pow.ts';
import type { CheckScope } from '../protocol/scope.ts';
import { schnorrChecks } from '../protocol/schnorr-scope.ts';
import { LruMap } from '../util/lru.ts';
import type { Announcement, Attestation, OracleCapability, Report, Verified } from '../protocol/types.ts';
import type { CapabilityLookup } from '../protocol/verify.ts';
import type { Mempool } from '../mempool/mempool.ts';
import { DEFAULT_ANNOUNCEMENT_OPTIONS } from '../mempool/announcements.ts';
import type { DlcFault } from './dlc-evidence.ts';
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
  now: () => number;
  /** A fault was found while admitting (checked here): the service builds its proof report and submits it through the intake, later. */
  onFault: (f: DlcFault) => void;
}

const describe = (e: DlcError): string => `${e.code}: ${e.message}`;

/** Signing versions of announcements gathered and not yet stored, by id: how an attestation arriving right behind its announcement is gathered (a miss means its checks run at admission). Fixed-size entries: the count bounds the bytes (~1 MiB). */
const PENDING_VERSIONS = 4096;

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
  private readonly pendingVersions = new LruMap<string, SigningVersion>(PENDING_VERSIONS);

  constructor(opts: Partial<DlcAdmissionOptions>, deps: DlcAdmissionDeps) {
    this.opts = { ...DEFAULT_DLC_ADMISSION, ...opts };
    this.deps = deps;
  }

  /** Change the limits at run time (SIGHUP); applies to the next admission. */
  configure(opts: Partial<DlcAdmissionOptions>): void {
    this.opts = { ...this.opts, ...opts };
  }

  /**
   * Before admission (service/admission.ts prepare): decode the TLV and, when the signing version is
   * known (the announcement's capability is stored), run the checks in `scope` (a collecting scope
   * gathers its curve checks for a verifier thread). Returns the decoded TLV for admission to reuse,
   * or undefined when it does not decode (admission names the problem). Never throws.
   */
  gatherAnnouncement(a: Announcement, id: string, scope: CheckScope): OracleAnnouncement | undefined {
    let decoded: OracleAnnouncement;
    try {
      decoded = decodeAnnouncement(a.announcement);
    } catch {
      return undefined;
    }
    const dlc = this.deps.lookupCapability(a.oraclePubKey, a.capabilityPubKey)?.dlc;
    if (dlc?.oracleKey === decoded.oracleKey) {
      this.pendingVersions.set(id, dlc.signingVersion);
      verifyAnnouncement(decoded, dlc.signingVersion, schnorrChecks(scope));
    }
    return decoded;
  }

  /**
   * Before admission: decode the TLV and run its signature checks in `scope` under the signing
   * version of its announcement (stored, or gathered just before). Returns the decoded TLV, or
   * undefined when it does not decode. Never throws.
   */
  gatherAttestation(t: Attestation, scope: CheckScope): OracleAttestation | undefined {
    let decoded: OracleAttestation;
    try {
      decoded = decodeAttestation(t.attestation);
    } catch {
      return undefined;
    }
    const version = this.deps.mempool.getAnnouncement(t.announcementId)?.signingVersion ?? this.pendingVersions.get(t.announcementId);
    if (version) verifyAttestationSignatures(decoded, version, schnorrChecks(scope));
    return decoded;
  }

  /** schema (done) → decode → duplicate → PoW → rank → capability → key → maturity → signature → nonce index → store. `scope` answers the curve checks; `gathered` is the TLV decoded by {@link gatherAnnouncement}. */
  admitAnnouncement(a: Announcement, id: string, version: string, scope: CheckScope, gathered?: OracleAnnouncement): AdmissionResult {
    const { mempool } = this.deps;
    let decoded: OracleAnnouncement;
    try {
      decoded = gathered ?? decodeAnnouncement(a.announcement);
    } catch (e) {
      if (e instanceof DlcError) return rejected('announcement', id, 'dlc-invalid', `announcement: ${describe(e)}`);
      throw e;
    }
    this.pendingVersions.delete(id);
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
    const bad = verifyAnnouncement(decoded, cap.dlc.signingVersion, schnorrChecks(scope));
    if (bad) return rejected('announcement', id, bad.code === 'bad-signature' ? 'dlc-signature-invalid' : 'dlc-invalid', `announcement under ${cap.dlc.signingVersion}: ${describe(bad)}`);
    for (const nonce of decoded.event.nonces) {
      const other = mempool.announcementByNonce(decoded.oracleKey, nonce);
      if (!other || other.id === id) continue;
      this.reportNonceReuse(other.msg, other.decoded, other.signingVersion, a, decoded, cap);
      return rejected('announcement', id, 'dlc-nonce-reuse', `nonce ${nonce} is already committed by stored announcement ${other.id} of this oracle key`);
    }
    return fromAdd('announcement', id, mempool.addAnnouncement(a as Verified<Announcement>, id, decoded, cap.dlc.signingVersion, cap.question, version));
  }

  /** schema (done) → decode → announcement stored → duplicate → verify → equivocation → store. `scope` answers the curve checks; `gathered` is the TLV decoded by {@link gatherAttestation}. */
  admitAttestation(t: Attestation, id: string, version: string, scope: CheckScope, gathered?: OracleAttestation): AdmissionResult {
    let decoded: OracleAttestation;
    try {
      decoded = gathered ?? decodeAttestation(t.attestation);
    } catch (e) {
      if (e instanceof DlcError) return rejected('attestation', id, 'dlc-invalid', `attestation: ${describe(e)}`);
      throw e;
    }
    const ann = this.deps.mempool.getAnnouncement(t.announcementId);
    if (!ann) return rejected('attestation', id, 'announcement-not-found', 'no stored announcement has this announcementId');
    if (ann.attestation?.id === id) return { status: 'duplicate', kind: 'attestation', id };
    // The store keeps no decoded copy: decode the announcement once for both checks.
    const announced = ann.decoded;
    const bad = verifyAttestation(announced, decoded, ann.signingVersion, schnorrChecks(scope));
    if (bad) return rejected('attestation', id, 'dlc-attestation-invalid', `attestation of ${ann.id} under ${ann.signingVersion}: ${describe(bad)}`);
    if (ann.attestation) {
      const proof = checkEquivocation(announced, ann.attestation.decoded, decoded, ann.signingVersion);
      if (proof instanceof DlcError) return rejected('attestation', id, 'dlc-attestation-invalid', `a second attestation that proves nothing: ${describe(proof)}`);
      const cap = this.deps.lookupCapability(ann.msg.oraclePubKey, ann.msg.capabilityPubKey);
      // The binding is the one the announcement was admitted under (a changed binding proves nothing here).
      if (cap?.dlc?.oracleKey === announced.oracleKey && cap.dlc.signingVersion === ann.signingVersion) {
        this.deps.onFault({ type: 'dlc-equivocation', capability: cap, announcement: ann.msg.announcement, attestations: [ann.attestation.msg.attestation, t.attestation] });
      }
      return rejected('attestation', id, 'dlc-equivocation', `announcement ${ann.id} is attested with other outcomes (nonce ${proof.index}): the oracle equivocated; the first attestation is kept and this node reports the pair as a dlc-equivocation proof`);
    }
    return fromAdd('attestation', id, this.deps.mempool.addAttestation(t as Verified<Attestation>, id, decoded, version));
  }

  /**
   * A fact-missing that names an announcement (docs/PROTOCOL.md 8.3): the announcement is stored, of
   * the report's oracle and capability, its maturity + announcementGraceMs has passed, and it has no
   * attestation. Null when the report names none or passes.
   */
  checkMissingAttestation(r: Report, id: string): Extract<AdmissionResult, { status: 'rejected' }> | null {
    const c = r.content;
    if (c.type !== 'fact-missing' || c.announcementId === undefined) return null;
    const ann = this.deps.mempool.getAnnouncement(c.announcementId);
    if (!ann) return rejected('report', id, 'announcement-not-found', 'no stored announcement has content.announcementId (it may not have arrived yet, or its retention ended)');
    if (ann.msg.capabilityPubKey !== c.request.capabilityPubKey || (ann.msg.oraclePubKey !== r.oraclePubKey && !this.deps.mempool.newerKeys(r.oraclePubKey).includes(ann.msg.oraclePubKey))) {
      return rejected('report', id, 'announcement-mismatch', "the announcement is not of the report's oraclePubKey and request.capabilityPubKey");
    }
    if (ann.attestation) return rejected('report', id, 'announcement-attested', `the announcement is attested (attestation ${ann.attestation.id}): nothing is missing`);
    const grace = this.deps.mempool.options.announcements?.announcementGraceMs ?? DEFAULT_ANNOUNCEMENT_OPTIONS.announcementGraceMs;
    const due = ann.maturityEpoch * 1000 + grace;
    if (this.deps.now() < due) {
      return rejected('report', id, 'announcement-not-due', `the oracle may still attest until maturity + announcementGraceMs (${new Date(due).toISOString()}); report it after that`);
    }
    return null;
  }

  /** Hand on a nonce reuse between a stored announcement and a newcomer, when the pair proves one under the stored one's signing version. */
  private reportNonceReuse(first: Announcement, firstDecoded: OracleAnnouncement, firstVersion: Parameters<typeof checkNonceReuse>[2], second: Announcement, secondDecoded: OracleAnnouncement, cap: OracleCapability): void {
    // The newcomer's capability binds the key under the version the stored one was admitted with, or no proof is checkable by others.
    if (cap.dlc?.signingVersion !== firstVersion) return;
    const proof = checkNonceReuse(firstDecoded, secondDecoded, firstVersion);
    if (proof instanceof DlcError) return; // e.g. a re-signed identical event: refused, but no fault
    this.deps.onFault({ type: 'dlc-nonce-reuse', capability: cap, announcements: [first.announcement, second.announcement] });
  }
}
