/** dlc/errors.ts - DlcError: what is wrong with a DLC oracle message, with a literal code. Imports nothing. */

/** What was wrong with an announcement or attestation, or with a proof built from them. */
export type DlcErrorCode =
  // encoding (parse)
  | 'bad-hex' // input is not even-length lowercase/uppercase hex
  | 'too-large' // input above MAX_MESSAGE_BYTES, or a count above its limit
  | 'truncated' // input ends inside a fixed-size field
  | 'trailing-bytes' // bytes left after the message, or inside a TLV after its last field
  | 'wrong-type' // a TLV of another type where this one was expected
  | 'length-overflow' // a declared length (TLV or string) runs past the end of its container
  | 'non-minimal-bigsize' // a bigsize not in its shortest form (BOLT 1)
  | 'bad-bool' // a bool byte other than 0x00 / 0x01
  | 'bad-utf8' // a string that is not valid UTF-8
  | 'not-nfc' // a string that is not in Unicode NFC (dlcspecs `string`)
  | 'bad-descriptor' // base < 2, no digits, no enum outcomes, duplicate enum outcomes
  | 'nonce-count' // nonce count differs from what the descriptor needs
  | 'duplicate-nonce' // one nonce listed twice in one event
  | 'signature-count' // an attestation with no signatures
  // verification
  | 'bad-point' // a key or nonce that is not the x coordinate of a curve point
  | 'bad-signature' // a BIP340 signature that does not verify
  | 'key-mismatch' // attestation (or second announcement) of another oracle key
  | 'event-id-mismatch' // attestation event id differs from the announcement's
  | 'outcome-count' // attestation signs a different number of outcomes than the event's nonces
  | 'nonce-mismatch' // a signature's R is not the nonce committed at its position
  | 'bad-outcome' // outcome not valid for the descriptor (not listed, bad digit, bad sign)
  // proofs and signing
  | 'same-outcome' // two attestations that do not differ: no equivocation
  | 'no-shared-nonce' // two announcements that share no nonce
  | 'same-event' // the "two" announcements commit to the same event bytes
  | 'bad-secret' // a secret key or nonce secret outside [1, n-1], or not matching its nonce
  | 'recovery-failed'; // the recovered key does not give the oracle key (never expected for valid inputs)

/** A malformed or invalid DLC oracle message. Carries no key material, only what failed. */
export class DlcError extends Error {
  override name = 'DlcError';
  readonly code: DlcErrorCode;
  constructor(code: DlcErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
