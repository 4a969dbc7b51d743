/** protocol/sign.ts - produce signatures for oracle ads, capabilities, facts and arbitrary objects, and build the dispute that carries a fact. Imports only protocol. */
import { canonicalize, signingHash } from './canonical.ts';
import { sha256Hex } from './hash.ts';
import { publicKeyOf, signHash } from './keys.ts';
import { reportId } from './ids.ts';
import { SIGNATURE_TYPE, type Dispute, type Fact, type FactRequest, type OracleCapability, type OracleId, type Report } from './types.ts';

/** An OracleId before signing (oracleSignatureType is filled in). */
export type UnsignedOracleId = Omit<OracleId, 'oracleSignature' | 'oracleSignatureType'>;
/** An OracleCapability before signing. */
export type UnsignedCapability = Omit<OracleCapability, 'oracleSignature' | 'oracleSignatureType'>;

/** Sign an oracle ad with the oracle's private key (must match `pubkey`). */
export function signOracleId(o: UnsignedOracleId, privateKey: string): OracleId {
  if (publicKeyOf(privateKey) !== o.pubkey) throw new Error('private key does not match the ad pubkey');
  const withType = { ...o, oracleSignatureType: SIGNATURE_TYPE } as OracleId;
  return { ...withType, oracleSignature: signHash(signingHash(withType, 'oracleSignature'), privateKey) };
}

/** Sign a capability ad with the oracle's private key (must match `oraclePubKey`). */
export function signCapability(c: UnsignedCapability, oraclePrivateKey: string): OracleCapability {
  if (publicKeyOf(oraclePrivateKey) !== c.oraclePubKey) throw new Error('private key does not match oraclePubKey');
  const withType = { ...c, oracleSignatureType: SIGNATURE_TYPE } as OracleCapability;
  return { ...withType, oracleSignature: signHash(signingHash(withType, 'oracleSignature'), oraclePrivateKey) };
}

/** The hash a fact signature covers: SHA-256 of the canonical `{request, answer}`. */
export function factHash(request: FactRequest, answer: string): string {
  return sha256Hex(canonicalize({ request, answer }));
}

/** Sign an answer to `request` with the capability's private key (must match `request.capabilityPubKey`). */
export function signFact(request: FactRequest, answer: string, capabilityPrivateKey: string): Fact {
  if (publicKeyOf(capabilityPrivateKey) !== request.capabilityPubKey) {
    throw new Error('private key does not match request.capabilityPubKey');
  }
  return buildFact(request, answer, (h) => signHash(h, capabilityPrivateKey));
}

/**
 * A fact signed by any ECDSA signer of the capability key (an oracle daemon's `Signer.signEcdsa`, which
 * never reveals the key): `signEcdsa` gets the hex hash of section 4.3 and returns the compact signature.
 */
export function buildFact(request: FactRequest, answer: string, signEcdsa: (hashHex: string) => string): Fact {
  return { request, answer, signatureType: SIGNATURE_TYPE, signature: signEcdsa(factHash(request, answer)) };
}

/** The dispute answering a fact-missing `report` with `fact` (PROTOCOL 7.7): not signed itself, the fact is. */
export function buildDispute(report: Pick<Report, 'oraclePubKey' | 'content'>, fact: Fact): Dispute {
  return { reportId: reportId(report), oraclePubKey: report.oraclePubKey, fact };
}

/** Key rotation link: the old key's signature over SHA-256 of the UTF-8 new pubkey hex string. */
export function signRotation(newPubKey: string, oldPrivateKey: string): string {
  return signHash(sha256Hex(newPubKey), oldPrivateKey);
}

/** Sign any object the protocol way (canonical form without `signatureField`, `pow`, `cTTL`). */
export function signObject(obj: object, signatureField: string, privateKey: string): string {
  return signHash(signingHash(obj, signatureField), privateKey);
}
