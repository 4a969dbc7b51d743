/** cli/check.ts - message type detection, ids and offline verification (schema, PoW, signatures, facts) with protocol functions. Imports protocol. */
import { disputeId, dlcTlvId, reportId } from '../protocol/ids.ts';
import { isPublicKey } from '../protocol/keys.ts';
import { announcementPreimage, capabilityPreimage, checkPow, oraclePreimage, reportPreimage } from '../protocol/pow.ts';
import { formatSchemaErrors, SchemaRegistry } from '../protocol/schema.ts';
import type { Announcement, Attestation, Dispute, EntityKind, Fact, Offer, OracleCapability, OracleId, Report } from '../protocol/types.ts';
import { offerId, offerPowText, verifyOfferSignature } from '../protocol/offer.ts';
import { isFactSignatureValid, verifyCapability, verifyDispute, verifyOracleId, verifyReportFacts, type VerifyFailure as ProtocolFailure } from '../protocol/verify.ts';

/** A failed offline check: a node's reason code (docs/PROTOCOL.md 10.3) or one of the CLI's own (`report-id-mismatch`), and a sentence. */
type VerifyFailure = { reason: ProtocolFailure['reason'] | 'pow-invalid' | 'report-id-mismatch'; message: string };

/** Everything `mega` can build or check: the four entities a node admits, plus a bare fact. */
export type MessageType = EntityKind | 'fact';
/** All message types, for `--type` and help. */
export const MESSAGE_TYPES: readonly MessageType[] = ['oracle', 'capability', 'report', 'dispute', 'announcement', 'attestation', 'offer', 'fact'];

/** Is `s` a message type name? */
export function isMessageType(s: string): s is MessageType {
  return (MESSAGE_TYPES as readonly string[]).includes(s);
}

/** Guess the type of a parsed message by its distinguishing fields; undefined when nothing fits. */
export function detectType(v: unknown): MessageType | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const has = (k: string) => Object.hasOwn(v, k);
  if (has('reportId')) return 'dispute';
  if (has('announcement') && has('capabilityPubKey')) return 'announcement';
  if (has('attestation') && has('announcementId')) return 'attestation';
  if (has('makerPubKey') && has('content')) return 'offer';
  if (has('content')) return 'report';
  if (has('capabilityPubKey') && has('oraclePubKey')) return 'capability';
  if (has('pubkey')) return 'oracle';
  if (has('request') && has('answer')) return 'fact';
  return undefined;
}

let registry: SchemaRegistry | undefined;
/** The spec's compiled schemas, loaded on first use (~100 ms). */
export function schemas(): SchemaRegistry {
  registry ??= SchemaRegistry.load();
  return registry;
}

/** Schema violation of `value` as `type` (one sentence naming the path), or null. */
export function schemaError(value: unknown, type: MessageType): string | null {
  if (type === 'fact') {
    const v = schemas().component('Fact');
    return v(value) ? null : formatSchemaErrors(v.errors, 'fact');
  }
  const r = schemas().validateEntity(type, value);
  return r.ok ? null : r.message;
}

/** The id a node gives a schema-valid message (as in its 201/200 answer); facts have none. */
export function messageId(value: unknown, type: MessageType): string | undefined {
  switch (type) {
    case 'oracle':
      return (value as OracleId).pubkey;
    case 'capability':
      return (value as OracleCapability).capabilityPubKey;
    case 'report':
      return reportId(value as Report);
    case 'dispute':
      return disputeId(value as Dispute);
    case 'announcement':
      return dlcTlvId((value as Announcement).announcement);
    case 'attestation':
      return dlcTlvId((value as Attestation).attestation);
    case 'offer':
      return offerId(value as Offer);
    case 'fact':
      return undefined;
  }
}

/** Outcome of {@link checkMessage}; printed as is by `mega verify`. */
export interface CheckResult {
  valid: boolean;
  type: MessageType;
  id?: string;
  reason?: string;
  message?: string;
  /** What could not be checked offline. */
  notes?: string[];
}

/** What the checks may use besides the message. */
export interface CheckContext {
  /** Capability ads known to be valid (stand in for the node's store when checking ownership). */
  capabilities?: OracleCapability[];
  /** The report a dispute answers. */
  report?: Report;
  /** Skip the PoW check (a message about to be mined). */
  skipPow?: boolean;
}

/** Note of a report or dispute whose capability-key ownership could not be checked offline. */
export const OWNERSHIP_NOTE = 'capability ownership not checked: the capability ad is neither embedded nor given with --capability (a node checks it against its store)';

function powFailure(value: unknown, type: MessageType): VerifyFailure | null {
  const m = value as OracleId & OracleCapability & Report;
  const preimage =
    type === 'oracle'
      ? oraclePreimage(m)
      : type === 'capability'
        ? capabilityPreimage(m)
        : type === 'offer'
          ? offerPowText(value as Offer)
          : type === 'announcement'
            ? announcementPreimage(value as Announcement, dlcTlvId((value as Announcement).announcement))
            : reportPreimage(m);
  switch (checkPow(m.pow, preimage)) {
    case null:
      return null;
    case 'pow-algorithm':
      return { reason: 'pow-invalid', message: 'pow.algorithm must be SHA256' };
    case 'pow-hash-mismatch':
      return { reason: 'pow-invalid', message: 'pow.hash is not SHA-256 of preimage + magicNo + magicString' };
    case 'pow-insufficient':
      return { reason: 'pow-invalid', message: `pow.hash has fewer than ${m.pow.difficulty} leading zero bits` };
  }
}

function factFailure(f: Fact): VerifyFailure | null {
  if (!isPublicKey(f.request.capabilityPubKey)) return { reason: 'invalid-pubkey', message: 'request.capabilityPubKey is not a point on secp256k1' };
  if (!isFactSignatureValid(f)) return { reason: 'fact-signature-invalid', message: 'signature does not verify against request.capabilityPubKey' };
  return null;
}

/** Verify a message offline as a node would: schema, then PoW, then signatures and facts. */
export function checkMessage(value: unknown, type: MessageType, ctx: CheckContext = {}): CheckResult {
  const schema = schemaError(value, type);
  if (schema !== null) return { valid: false, type, reason: 'schema-violation', message: schema };
  const id = messageId(value, type);
  const base: CheckResult = id === undefined ? { valid: true, type } : { valid: true, type, id };
  const notes: string[] = [];
  const caps = ctx.capabilities ?? [];
  const lookup = (o: string, c: string) => caps.find((x) => x.oraclePubKey === o && x.capabilityPubKey === c);
  // Ownership is the last check of verifyReportFacts and verifyDispute: everything else passed.
  const owned = (f: VerifyFailure | null): VerifyFailure | null => {
    if (f?.reason !== 'unknown-capability') return f;
    notes.push(OWNERSHIP_NOTE);
    return null;
  };
  let failure: VerifyFailure | null = null;
  if (!ctx.skipPow && type !== 'fact' && type !== 'dispute' && type !== 'attestation') failure = powFailure(value, type); // facts, disputes and attestations carry no PoW
  if (failure === null) {
    switch (type) {
      case 'oracle':
        failure = verifyOracleId(value as OracleId);
        break;
      case 'capability':
        failure = verifyCapability(value as OracleCapability);
        break;
      case 'fact':
        failure = factFailure(value as Fact);
        break;
      case 'offer':
        if (!verifyOfferSignature(value as Offer)) failure = { reason: 'signature-invalid', message: 'makerSignature does not verify against makerPubKey' };
        notes.push('terms not checked against the announcement offline (a node checks them against its store)');
        break;
      case 'report':
        failure = owned(verifyReportFacts(value as Report, lookup));
        break;
      case 'dispute': {
        const d = value as Dispute;
        if (ctx.report === undefined) {
          failure = factFailure(d.fact);
          notes.push('not checked against the reported request: give the report with --report <file>');
        } else if (reportId(ctx.report) !== d.reportId) {
          failure = { reason: 'report-id-mismatch', message: 'reportId is not the id of the given report' };
        } else {
          failure = owned(verifyDispute(d, ctx.report, lookup));
        }
        break;
      }
    }
  }
  if (failure !== null) return { ...base, valid: false, reason: failure.reason, message: failure.message };
  return notes.length > 0 ? { ...base, notes } : base;
}
