/** protocol/verify.ts - signature, fact, report and dispute checks on schema-valid entities. Imports only protocol. */
import { canonicalEqual, memoHash, signingHash } from './canonical.ts';
import { sha256Hex } from './hash.ts';
import { isPublicKey, verifyHash } from './keys.ts';
import { checkPaymentProof } from './payment.ts';
import { INLINE, type CheckScope } from './scope.ts';
import { schnorrChecks } from './schnorr-scope.ts';
import { factHash } from './sign.ts';
import { isDlcProofContent, type Dispute, type Fact, type FactRequest, type OracleCapability, type OracleId, type Report } from './types.ts';
import { decodeDlcProof, verifyDlcProof, type DlcProofReason } from './verify-dlc.ts';

/** Every reason a check here can fail with (docs/PROTOCOL.md 10.3); service/types.ts gives each its ban score. */
export type VerifyReason =
  | 'invalid-pubkey'
  | 'signature-invalid'
  | 'invalid-rotation'
  | 'unknown-capability'
  | 'capability-mismatch'
  | 'capability-invalid'
  | 'fact-request-mismatch'
  | 'fact-signature-invalid'
  | 'conflict-needs-two-facts'
  | 'conflict-answers-equal'
  | 'not-disputable'
  | 'dispute-oracle-mismatch'
  | 'payment-unverifiable'
  | 'payment-invalid'
  | DlcProofReason;

/** A failed check: a kebab-case reason code and a sentence for humans. */
export interface VerifyFailure {
  reason: VerifyReason;
  message: string;
}

/** Longest accepted chain of `previousId` links (each link costs one signature check). */
export const MAX_ROTATION_DEPTH = 8;

const fail = (reason: VerifyReason, message: string): VerifyFailure => ({ reason, message });

/** Is the oracle ad's own signature valid (no rotation check)? */
export function isOracleSignatureValid(o: OracleId, scope: CheckScope = INLINE): boolean {
  return verifyHash(o.oracleSignature, signingHash(o, 'oracleSignature', scope.memo), o.pubkey, scope);
}

/** Check an oracle ad: pubkey on the curve, signature, and any key-rotation link. */
export function verifyOracleId(o: OracleId, scope: CheckScope = INLINE, depth = 0): VerifyFailure | null {
  if (!isPublicKey(o.pubkey, scope)) return fail('invalid-pubkey', 'pubkey is not a point on secp256k1');
  if (!isOracleSignatureValid(o, scope)) return fail('signature-invalid', 'oracleSignature does not verify against pubkey');
  if (o.previousId === undefined && o.previousIdSignatureToNewPubkey === undefined) return null;
  if (o.previousId === undefined || o.previousIdSignatureToNewPubkey === undefined) {
    return fail('invalid-rotation', 'previousId and previousIdSignatureToNewPubkey must be given together');
  }
  if (depth + 1 > MAX_ROTATION_DEPTH) return fail('invalid-rotation', `previousId chain is longer than ${MAX_ROTATION_DEPTH}`);
  if (o.previousId.pubkey === o.pubkey) return fail('invalid-rotation', 'previousId has the same pubkey as the new ad');
  const inner = verifyOracleId(o.previousId, scope, depth + 1);
  if (inner) return fail('invalid-rotation', `previousId is not a valid oracle ad: ${inner.message}`);
  if (!verifyHash(o.previousIdSignatureToNewPubkey, sha256Hex(o.pubkey), o.previousId.pubkey, scope)) {
    return fail('invalid-rotation', 'previousIdSignatureToNewPubkey is not the old key signing the new pubkey');
  }
  return null;
}

/** Check a capability ad: both keys on the curve and the oracle's signature. */
export function verifyCapability(c: OracleCapability, scope: CheckScope = INLINE): VerifyFailure | null {
  if (!isPublicKey(c.oraclePubKey, scope)) return fail('invalid-pubkey', 'oraclePubKey is not a point on secp256k1');
  if (!isPublicKey(c.capabilityPubKey, scope)) return fail('invalid-pubkey', 'capabilityPubKey is not a point on secp256k1');
  if (!verifyHash(c.oracleSignature, signingHash(c, 'oracleSignature', scope.memo), c.oraclePubKey, scope)) {
    return fail('signature-invalid', 'oracleSignature does not verify against oraclePubKey');
  }
  return null;
}

/** Is the fact signed by its request's capability key over the canonical `{request, answer}`? */
export function isFactSignatureValid(f: Fact, scope: CheckScope = INLINE): boolean {
  return verifyHash(f.signature, memoHash(scope.memo, f, 'fact', () => factHash(f.request, f.answer)), f.request.capabilityPubKey, scope);
}

/** Finds a capability ad `capabilityPubKey` of oracle `oraclePubKey` known to the node. */
export type CapabilityLookup = (oraclePubKey: string, capabilityPubKey: string) => OracleCapability | undefined;

/**
 * Is `request.capabilityPubKey` a capability of `oraclePubKey`? Known to the node, or proven by an
 * embedded oracle-signed ad (verified here).
 */
function checkCapabilityOwnership(
  oraclePubKey: string,
  capabilityPubKey: string,
  embedded: OracleCapability | undefined,
  lookup: CapabilityLookup,
  scope: CheckScope,
): VerifyFailure | null {
  // An embedded ad is always checked, even when the node knows the capability, so a report's
  // validity never depends on local state (a peer without the capability must agree).
  if (embedded === undefined) {
    if (lookup(oraclePubKey, capabilityPubKey)) return null;
    return fail('unknown-capability', 'the capabilityPubKey is not a known capability of this oracle; embed its signed ad as `capability`');
  }
  if (embedded.oraclePubKey !== oraclePubKey || embedded.capabilityPubKey !== capabilityPubKey) {
    return fail('capability-mismatch', 'the embedded capability is not the ad of this oracle for the report\'s capabilityPubKey');
  }
  const bad = verifyCapability(embedded, scope);
  if (bad) return fail('capability-invalid', `the embedded capability is invalid: ${bad.message}`);
  return null;
}

/** Check a fact against an expected request: same request (canonically) and a valid signature. */
function checkFactFor(f: Fact, request: FactRequest, label: string, scope: CheckScope): VerifyFailure | null {
  if (!canonicalEqual(f.request, request, scope.memo)) return fail('fact-request-mismatch', `${label} is for a different request than the report`);
  if (!isPublicKey(f.request.capabilityPubKey, scope)) return fail('invalid-pubkey', `${label} capabilityPubKey is not a point on secp256k1`);
  if (!isFactSignatureValid(f, scope)) return fail('fact-signature-invalid', `${label} signature does not verify against the capabilityPubKey`);
  return null;
}

/**
 * Check what a report carries: the facts (fact-conflict, fact-disagrees-with-public), the
 * capability a fact-missing names (with its payment proof), or the DLC messages of a DLC proof
 * (protocol/verify-dlc.ts). A fact-missing's `announcementId` depends on the stored announcement
 * and is checked by admission (service/admission-dlc.ts), not here.
 */
export function verifyReportFacts(r: Report, lookup: CapabilityLookup, scope: CheckScope = INLINE): VerifyFailure | null {
  const c = r.content;
  if (!isPublicKey(r.oraclePubKey, scope)) return fail('invalid-pubkey', 'oraclePubKey is not a point on secp256k1');
  if (isDlcProofContent(c)) {
    if (!isPublicKey(c.capabilityPubKey, scope)) return fail('invalid-pubkey', 'content.capabilityPubKey is not a point on secp256k1');
    const decoded = decodeDlcProof(c);
    if ('reason' in decoded) return decoded;
    const bad = checkCapabilityOwnership(r.oraclePubKey, c.capabilityPubKey, c.capability, lookup, scope);
    if (bad) return bad;
    // Its BIP340 checks are answered as the scope answers them (gathered for a verifier thread in prepare when the capability is embedded).
    const found = verifyDlcProof(decoded, c.capability ?? (lookup(r.oraclePubKey, c.capabilityPubKey) as OracleCapability), schnorrChecks(scope));
    return 'reason' in found ? found : null;
  }
  if (!isPublicKey(c.request.capabilityPubKey, scope)) return fail('invalid-pubkey', 'request.capabilityPubKey is not a point on secp256k1');
  switch (c.type) {
    case 'fact-missing': {
      // Only a capability the oracle has can be asked, and only then can the oracle answer (dispute) it.
      const bad = checkCapabilityOwnership(r.oraclePubKey, c.request.capabilityPubKey, c.capability, lookup, scope);
      if (bad) return bad;
      // A Lightning payment proof is checked against the node id the capability names (embedded ad first: it was just verified).
      return checkPaymentProof(c.payment, c.request, c.capability ?? lookup(r.oraclePubKey, c.request.capabilityPubKey));
    }
    case 'fact-disagrees-with-public': {
      const bad = checkFactFor(c.fact, c.request, 'fact', scope);
      if (bad) return bad;
      return checkCapabilityOwnership(r.oraclePubKey, c.request.capabilityPubKey, c.capability, lookup, scope);
    }
    case 'fact-conflict': {
      if (c.facts.length < 2) return fail('conflict-needs-two-facts', 'a fact-conflict needs at least two facts');
      const answers = new Set<string>();
      for (let i = 0; i < c.facts.length; i++) {
        const bad = checkFactFor(c.facts[i] as Fact, c.request, `facts[${i}]`, scope);
        if (bad) return bad;
        answers.add((c.facts[i] as Fact).answer);
      }
      if (answers.size < 2) return fail('conflict-answers-equal', 'the facts of a fact-conflict must include at least two different answers');
      return checkCapabilityOwnership(r.oraclePubKey, c.request.capabilityPubKey, c.capability, lookup, scope);
    }
  }
}

/** Check a dispute against the stored report it answers. */
export function verifyDispute(d: Dispute, stored: Report, lookup: CapabilityLookup, scope: CheckScope = INLINE): VerifyFailure | null {
  if (stored.content.type !== 'fact-missing') return fail('not-disputable', 'only fact-missing reports can be disputed');
  if (d.oraclePubKey !== stored.oraclePubKey) return fail('dispute-oracle-mismatch', 'the dispute oraclePubKey is not the reported oracle');
  const bad = checkFactFor(d.fact, stored.content.request, 'fact', scope);
  if (bad) return bad;
  // The report's embedded ad (checked when the report was admitted) binds the capability as well as a stored one.
  if (stored.content.capability?.capabilityPubKey === d.fact.request.capabilityPubKey) return null;
  if (!lookup(d.oraclePubKey, d.fact.request.capabilityPubKey)) {
    return fail('unknown-capability', 'the fact capabilityPubKey is not a known capability of this oracle');
  }
  return null;
}

/**
 * The part of a dispute that can be checked without its report (a node of another shard relays
 * it): the fact is validly signed by a known capability of the disputing oracle.
 */
export function verifyDisputeFactAlone(d: Dispute, lookup: CapabilityLookup, scope: CheckScope = INLINE): VerifyFailure | null {
  if (!isPublicKey(d.fact.request.capabilityPubKey, scope)) return fail('invalid-pubkey', 'fact capabilityPubKey is not a point on secp256k1');
  if (!isFactSignatureValid(d.fact, scope)) return fail('fact-signature-invalid', 'fact signature does not verify against the capabilityPubKey');
  if (!lookup(d.oraclePubKey, d.fact.request.capabilityPubKey)) {
    return fail('unknown-capability', 'the fact capabilityPubKey is not a known capability of this oracle');
  }
  return null;
}
