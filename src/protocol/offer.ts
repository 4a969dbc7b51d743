/** protocol/offer.ts - an offer's id, its PoW preimage, and signing/verifying the maker's signature (docs/PROTOCOL.md "Offers"). Imports only protocol. */
import { canonicalPick, memoHash, signingHash, type HashMemo } from './canonical.ts';
import { sha256Hex } from './hash.ts';
import { isPublicKey, publicKeyOf, signHash, verifyHash } from './keys.ts';
import { INLINE, type CheckScope } from './scope.ts';
import { SIGNATURE_TYPE, type Offer } from './types.ts';

/** The members an offer id (and its PoW preimage) cover: `status` and `seqNo` are signed but not in the id, so a cancel keeps id and PoW. */
export const OFFER_ID_FIELDS = ['makerPubKey', 'content'] as const;

/** An offer before signing (`makerSignatureType` is filled in). */
export type UnsignedOffer = Omit<Offer, 'makerSignature' | 'makerSignatureType'>;

/**
 * PoW preimage of an offer: the canonical (RFC 8785) `{makerPubKey, content}`. Binding the work to
 * the maker's key stops another key from reusing it for the same terms.
 */
export function offerPowText(o: Pick<Offer, 'makerPubKey' | 'content'>, memo: HashMemo | null = null): string {
  return memoHash(memo, o, 'offer-text', () => canonicalPick(o, OFFER_ID_FIELDS, memo));
}

/** Offer id (also its inventory id): hex SHA-256 of {@link offerPowText}. */
export function offerId(o: Pick<Offer, 'makerPubKey' | 'content'>, memo: HashMemo | null = null): string {
  return memoHash(memo, o, 'offer-id', () => sha256Hex(offerPowText(o, memo)));
}

/**
 * Sign an offer with the maker's 32-byte secret (hex; must match `makerPubKey`): ECDSA secp256k1
 * over SHA-256 of the canonical offer without `makerSignature`, `pow` and `cTTL` (protocol/sign.ts rule).
 */
export function signOffer(unsigned: UnsignedOffer, secret32: string): Offer {
  if (publicKeyOf(secret32) !== unsigned.makerPubKey) throw new Error('private key does not match makerPubKey');
  const withType = { ...unsigned, makerSignatureType: SIGNATURE_TYPE } as Offer;
  return { ...withType, makerSignature: signHash(signingHash(withType, 'makerSignature'), secret32) };
}

/** Is `makerPubKey` a key on the curve whose signature `makerSignature` covers the offer? */
export function verifyOfferSignature(o: Offer, scope: CheckScope = INLINE): boolean {
  if (o.makerSignatureType !== SIGNATURE_TYPE) return false;
  if (!isPublicKey(o.makerPubKey, scope)) return false;
  return verifyHash(o.makerSignature, signingHash(o, 'makerSignature', scope.memo), o.makerPubKey, scope);
}
