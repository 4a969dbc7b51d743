/** protocol/payment.ts - verification of a fact-missing's Lightning payment proof: a BOLT11 invoice signed by the capability's lightningNodeId, paid (SHA-256 of the preimage is its payment hash) and committed to the request (docs/PROTOCOL.md 8.3). Imports protocol and the bolt11 decoder only. */
import bolt11 from 'bolt11';
import { canonicalize } from './canonical.ts';
import { sha256Hex } from './hash.ts';
import type { FactRequest, OracleCapability, PaymentProof } from './types.ts';

/** Why a payment proof does not count. */
export interface PaymentFailure {
  reason: 'payment-unverifiable' | 'payment-invalid';
  message: string;
}

/** What a request commits an invoice to: hex SHA-256 of the UTF-8 JCS of the request (the invoice's description hash, BOLT11 tag `h`). */
export function requestCommitment(request: FactRequest): string {
  return sha256Hex(canonicalize(request));
}

/** The BOLT11 fields the check reads, or null when the text is not a valid, signed invoice. */
function decodeInvoice(invoice: string): { payee: string; paymentHash: string | undefined; descriptionHash: string | undefined } | null {
  try {
    // decode() checks the bech32 checksum and recovers the signing key from the signature (the
    // invoice's `n` field, when present, must equal it); the network is read from the prefix.
    const d = bolt11.decode(invoice);
    if (typeof d.payeeNodeKey !== 'string') return null;
    return { payee: d.payeeNodeKey, paymentHash: d.tagsObject.payment_hash, descriptionHash: d.tagsObject.purpose_commit_hash };
  } catch {
    return null;
  }
}

/**
 * Check the payment proof of a fact-missing against the capability it names (known to the node or
 * embedded). Null when there is no invoice to check (free-text proofs are not verified) or when it
 * verifies. Decoding costs one public-key recovery (~0.1 ms), done after PoW like every signature.
 */
export function checkPaymentProof(payment: PaymentProof | undefined, request: FactRequest, capability: OracleCapability | undefined): PaymentFailure | null {
  if (payment?.invoice === undefined) return null;
  const nodeId = capability?.lightningNodeId;
  if (nodeId === undefined) {
    return { reason: 'payment-unverifiable', message: 'the capability names no lightningNodeId, so the invoice cannot be checked; send the proof as text in `proof` only' };
  }
  if (payment.preimage === undefined) return { reason: 'payment-invalid', message: 'payment.invoice needs payment.preimage' };
  const inv = decodeInvoice(payment.invoice);
  if (!inv) return { reason: 'payment-invalid', message: 'payment.invoice is not a valid signed BOLT11 invoice' };
  if (inv.payee !== nodeId) return { reason: 'payment-invalid', message: "the invoice is not signed by the capability's lightningNodeId" };
  if (inv.paymentHash !== sha256Hex(Buffer.from(payment.preimage, 'hex'))) return { reason: 'payment-invalid', message: "SHA-256 of payment.preimage is not the invoice's payment hash" };
  if (inv.descriptionHash !== requestCommitment(request)) {
    return { reason: 'payment-invalid', message: "the invoice's description hash is not SHA-256 of the canonical request: it was not issued for this request" };
  }
  return null;
}
