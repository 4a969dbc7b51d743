// test/helpers/dlc.ts - builders of real DLC test entities: an oracle with a capability that binds a BIP340 key, signed announcements (mined), attestations and the dlc-equivocation / dlc-nonce-reuse reports built from them, from deterministic secrets.
import crypto from 'node:crypto';
import { encodeAnnouncement, encodeAttestation, signAnnouncement, signAttestation, toHex, xOnlyFromSecret, type EventDescriptor, type OracleAnnouncement, type SigningVersion } from '../../src/dlc/index.ts';
import { dlcTlvId } from '../../src/protocol/ids.ts';
import { announcementPreimage, minePowSync } from '../../src/protocol/pow.ts';
import { signCapability } from '../../src/protocol/sign.ts';
import type { Announcement, Attestation, OracleCapability, OracleId, Report, ReportContent } from '../../src/protocol/types.ts';
import { equivocationContent, nonceReuseContent } from '../../src/protocol/verify-dlc.ts';
import { fakePow, makeKeys, makeOracle, mine, type KeyPair } from './factory.ts';

/** Deterministic 32-byte secret from a label. */
export function dlcSecret(label: string): Uint8Array {
  return new Uint8Array(crypto.createHash('sha256').update(`mega-dlc-node-test:${label}`).digest());
}

/** An oracle whose capability binds a DLC key, and everything needed to sign for it. */
export interface DlcOracle {
  oracleKeys: KeyPair;
  capKeys: KeyPair;
  oracle: OracleId;
  capability: OracleCapability;
  sk: Uint8Array;
  oracleKey: string;
  version: SigningVersion;
}

/** Build an oracle ad and a capability with `dlc: {oracleKey, signingVersion}` (seed picks the keys). */
export function makeDlcOracle(seed: number, version: SigningVersion = 'dlcspecs-v0', question = 'Will it rain in Berlin?', dlcOverride?: OracleCapability['dlc']): DlcOracle {
  const oracleKeys = makeKeys(seed);
  const capKeys = makeKeys(seed + 1000);
  const sk = dlcSecret(`key:${seed}`);
  const oracleKey = toHex(xOnlyFromSecret(sk));
  const oracle = makeOracle({ keys: oracleKeys });
  const unsigned: Omit<OracleCapability, 'oracleSignature' | 'oracleSignatureType'> = {
    oraclePubKey: oracleKeys.publicKey,
    capabilityPubKey: capKeys.publicKey,
    question,
    seqNo: 0,
    cTTL: 5,
    pow: fakePow(0),
    dlc: dlcOverride ?? { oracleKey, signingVersion: version },
  };
  const capability = mine(signCapability(unsigned, oracleKeys.privateKey), 'capability', 2);
  return { oracleKeys, capKeys, oracle, capability, sk, oracleKey, version };
}

/** A signed event of `o` with its nonce secrets; `nonceLabel` picks the nonces (reuse one to reuse nonces). */
export interface DlcEvent {
  ann: OracleAnnouncement;
  nonceSecrets: Uint8Array[];
  entity: Announcement;
  id: string;
}

/** Sign an enum event (rain/sun/snow) maturing at `maturityEpoch` and wrap it as a mined announcement entity. */
export function makeDlcEvent(o: DlcOracle, opts: { maturityEpoch: number; eventId?: string; nonceLabel?: string; difficulty?: number; descriptor?: EventDescriptor }): DlcEvent {
  const descriptor = opts.descriptor ?? { kind: 'enum', outcomes: ['rain', 'sun', 'snow'] };
  const count = descriptor.kind === 'enum' ? 1 : descriptor.nbDigits + (descriptor.isSigned ? 1 : 0);
  const label = opts.nonceLabel ?? `${opts.eventId ?? 'ev'}:${opts.maturityEpoch}`;
  const nonceSecrets = Array.from({ length: count }, (_, i) => dlcSecret(`nonce:${o.oracleKey}:${label}:${i}`));
  const ann = signAnnouncement({ secretKey: o.sk, nonceSecrets, maturityEpoch: opts.maturityEpoch, descriptor, eventId: opts.eventId ?? 'ev', version: o.version });
  const entity = announcementEntity(o, toHex(encodeAnnouncement(ann)), opts.difficulty ?? 2);
  return { ann, nonceSecrets, entity, id: dlcTlvId(entity.announcement) };
}

/** An announcement entity of `o` carrying `tlvHex`, mined at `difficulty`. */
export function announcementEntity(o: DlcOracle, tlvHex: string, difficulty = 2): Announcement {
  const id = dlcTlvId(tlvHex);
  const pow = minePowSync(announcementPreimage({ oraclePubKey: o.oracleKeys.publicKey, capabilityPubKey: o.capKeys.publicKey }, id), difficulty);
  return { oraclePubKey: o.oracleKeys.publicKey, capabilityPubKey: o.capKeys.publicKey, announcement: tlvHex, cTTL: 5, pow };
}

/** The attestation entity of `outcomes` for an event of `o`. */
export function makeDlcAttestation(o: DlcOracle, ev: DlcEvent, outcomes: string[]): Attestation {
  const att = signAttestation({ secretKey: o.sk, announcement: ev.ann, nonceSecrets: ev.nonceSecrets, outcomes, version: o.version });
  return { announcementId: ev.id, attestation: toHex(encodeAttestation(att)) };
}

/** A mined dlc-equivocation report of `o` (the pair put in ascending order; `embed`: carry the capability ad). */
export function makeEquivocationReport(o: DlcOracle, ev: DlcEvent, a: Attestation, b: Attestation, opts: { embed?: boolean; difficulty?: number } = {}): Report {
  const content = equivocationContent(o.capKeys.publicKey, ev.entity.announcement, a.attestation, b.attestation, opts.embed === false ? undefined : o.capability);
  return mine({ oraclePubKey: o.oracleKeys.publicKey, seqNo: 0, cTTL: 5, pow: fakePow(0), content }, 'report', opts.difficulty ?? 1);
}

/** A mined dlc-nonce-reuse report of `o` from two announcements. */
export function makeNonceReuseReport(o: DlcOracle, x: DlcEvent, y: DlcEvent, opts: { embed?: boolean; difficulty?: number } = {}): Report {
  const content = nonceReuseContent(o.capKeys.publicKey, x.entity.announcement, y.entity.announcement, opts.embed === false ? undefined : o.capability);
  return mine({ oraclePubKey: o.oracleKeys.publicKey, seqNo: 0, cTTL: 5, pow: fakePow(0), content }, 'report', opts.difficulty ?? 1);
}

/** Re-mine a report whose content was changed (tests of forged contents). */
export function remine(r: Report, content: ReportContent, difficulty = 1): Report {
  return mine({ ...r, content }, 'report', difficulty);
}
