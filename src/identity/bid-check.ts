/** identity/bid-check.ts - what makes a Lightning bid count (docs/PROTOCOL.md 7.2): which bids are verifiable, whether an LND invoice pays a bid for an oracle, and which node signed it. Pure functions; imports protocol and lightning types and the bolt11 decoder. */
import bolt11 from 'bolt11';
import type { Bid } from '../protocol/types.ts';
import type { LndInvoice } from '../lightning/lnd.ts';

const PUBKEY_IN_TEXT = /0[23][0-9a-f]{64}/gi;

/** Is this a bid the node can verify: lightning, a 64-hex payment hash, a positive amount. */
export function isLightningBid(bid: Bid): boolean {
  return bid.paymentType === 'lightning' && /^[0-9a-f]{64}$/.test(bid.proof) && bid.amount > 0;
}

/**
 * Does this invoice pay `bid` for oracle `pubkey`? Settled, paid at least the amount (int64 fields
 * arrive as strings), the payment hash matches, and the memo names this oracle and no other key,
 * so one paid invoice cannot rank two oracles. Returns null when it does, else the reason.
 */
export function checkInvoice(inv: LndInvoice, bid: Bid, pubkey: string): string | null {
  if (inv.state !== 'SETTLED') return `invoice state is ${String(inv.state)}`;
  if (typeof inv.r_hash === 'string' && Buffer.from(inv.r_hash, 'base64').toString('hex') !== bid.proof) return 'invoice r_hash is not the bid proof';
  let paid: bigint;
  try {
    paid = BigInt(inv.amt_paid_msat ?? '0');
  } catch {
    return 'amt_paid_msat is not an integer';
  }
  if (paid < BigInt(bid.amount)) return `invoice paid ${paid} msat, less than the bid's ${bid.amount}`;
  const memo = typeof inv.memo === 'string' ? inv.memo.toLowerCase() : '';
  const keys = new Set(memo.match(PUBKEY_IN_TEXT) ?? []);
  if (!keys.has(pubkey)) return 'invoice memo does not name this oracle pubkey';
  if (keys.size > 1) return 'invoice memo names more than one pubkey';
  return null;
}

/** Identity of a bid: a result is applied only while the stored ad still carries it. */
export const bidKey = (b: Bid): string => `${b.paymentType ?? ''}|${b.proof}|${b.amount}`;

/** The node that signed a BOLT11 invoice (public-key recovery, ~0.1 ms), or null when it does not decode. */
export function payeeOf(paymentRequest: string | undefined): string | null {
  if (typeof paymentRequest !== 'string') return null;
  try {
    const d = bolt11.decode(paymentRequest);
    return typeof d.payeeNodeKey === 'string' ? d.payeeNodeKey : null;
  } catch {
    return null;
  }
}

