/**
 * dlc/proofs.ts - self-proving oracle faults: equivocation (two attestations signing different
 * outcomes with one committed nonce, which reveals the oracle's key) and nonce reuse (two
 * announcements of one key committing to a shared nonce). Answers are yes/no with the position;
 * no key material ever leaves this module, so a node can check and keep proofs without ever
 * holding the key. Imports only dlc.
 */
import { fromHex } from './bytes.ts';
import { encodeOracleEvent } from './codec.ts';
import { DlcError } from './errors.ts';
import { attestationMessage, recoveredKeyMatches } from './schnorr.ts';
import type { OracleAnnouncement, OracleAttestation, SigningVersion } from './types.ts';
import { verifyAnnouncement, verifyAttestation } from './verify.ts';

/** A checked equivocation: the nonce position whose two signatures revealed the oracle key. */
export interface EquivocationProof {
  ok: true;
  /** Index into the event's nonces where the outcomes differ. */
  index: number;
  nonce: string;
}

/**
 * Whether `a` and `b`, both valid attestations of `ann`, prove equivocation: they differ in an
 * outcome signed under one nonce, and the key recovered from those two signatures,
 * x = (s1 - s2) / (e1 - e2) mod n, gives the oracle key. Refuses (DlcError) when the
 * announcement or either attestation does not verify, when the outcomes are the same, or when
 * the recovery does not give the key.
 */
export function checkEquivocation(ann: OracleAnnouncement, a: OracleAttestation, b: OracleAttestation, version: SigningVersion): EquivocationProof | DlcError {
  const annErr = verifyAnnouncement(ann, version);
  if (annErr) return annErr;
  const aErr = verifyAttestation(ann, a, version);
  if (aErr) return aErr;
  const bErr = verifyAttestation(ann, b, version);
  if (bErr) return bErr;
  return equivocationOf(ann, a, b, version);
}

/**
 * The equivocation step of {@link checkEquivocation} for an announcement and two attestations the
 * caller has already verified (the node's report check verifies each part first, to name which
 * failed): the first position whose outcomes differ, and the key recovered there must be the
 * oracle key. The recovered scalar never leaves schnorr.ts.
 */
export function equivocationOf(ann: OracleAnnouncement, a: OracleAttestation, b: OracleAttestation, version: SigningVersion): EquivocationProof | DlcError {
  const index = a.outcomes.findIndex((o, i) => o !== b.outcomes[i]);
  if (index < 0) return new DlcError('same-outcome', 'the attestations sign the same outcomes: no equivocation');
  const px = fromHex(ann.oracleKey);
  const sa = fromHex(a.signatures[index]!);
  const sb = fromHex(b.signatures[index]!);
  const ok = recoveredKeyMatches(
    px,
    sa.subarray(0, 32),
    attestationMessage(version, a.outcomes[index]!),
    sa.subarray(32),
    attestationMessage(version, b.outcomes[index]!),
    sb.subarray(32),
  );
  if (!ok) return new DlcError('recovery-failed', 'the recovered key does not match the oracle key');
  return { ok: true, index, nonce: ann.event.nonces[index]! };
}

/** A checked nonce reuse: the nonce committed in two different events of one oracle. */
export interface NonceReuseProof {
  ok: true;
  nonce: string;
}

/**
 * Whether two valid announcements of one oracle key commit to a shared nonce for different
 * events. Signing both would reveal the key, so committing twice is itself the fault. Refuses
 * when either does not verify, the keys differ, the events are the same bytes, or no nonce is
 * shared.
 */
export function checkNonceReuse(a: OracleAnnouncement, b: OracleAnnouncement, version: SigningVersion): NonceReuseProof | DlcError {
  const aErr = verifyAnnouncement(a, version);
  if (aErr) return aErr;
  const bErr = verifyAnnouncement(b, version);
  if (bErr) return bErr;
  return nonceReuseOf(a, b);
}

/** The nonce-reuse step of {@link checkNonceReuse} for two announcements the caller has already verified: same key, different events, a shared nonce. */
export function nonceReuseOf(a: OracleAnnouncement, b: OracleAnnouncement): NonceReuseProof | DlcError {
  if (a.oracleKey !== b.oracleKey) return new DlcError('key-mismatch', 'the announcements are of different oracle keys');
  if (Buffer.compare(Buffer.from(encodeOracleEvent(a.event)), Buffer.from(encodeOracleEvent(b.event))) === 0) {
    return new DlcError('same-event', 'both announcements commit to the same event');
  }
  const mine = new Set(a.event.nonces);
  const nonce = b.event.nonces.find((n) => mine.has(n));
  if (nonce === undefined) return new DlcError('no-shared-nonce', 'the announcements share no nonce');
  return { ok: true, nonce };
}
