/** mempool/compact.ts - stored messages share equal values: protocol constants, keys already held by the entry they hang on, and the empty bid replace the parsed copies (same values, same member order, so JSON, hashes and answers are unchanged). Imports only protocol. */
import { REPORT_TYPES, SIGNATURE_TYPE, type Bid, type Fact, type Offer, type OracleCapability, type OracleId, type Report } from '../protocol/types.ts';

/**
 * Protocol constants longer than 10 characters. V8's JSON.parse internalizes (shares) string values
 * of at most 10 characters only; each longer one is a string of its own (16-byte header + its
 * characters, 32 B for `ecdsa-secp256k1`) in every parsed message.
 */
const CONSTANTS = new Map<string, string>(
  [SIGNATURE_TYPE, ...REPORT_TYPES, 'bitcoin-regtest', 'bitcoin-testnet', 'bitcoin-signet', 'bitcoin-mainnet'].map((s) => [s, s]),
);

/**
 * The bid of an ad that bids nothing (most ads: a bid is optional paid placement), shared by every
 * such stored ad. Frozen: a stored message is never changed in place (a new version replaces it).
 */
const NO_BID: Bid = Object.freeze({ amount: 0, proof: '' }) as Bid;
const NO_BID_JSON = JSON.stringify(NO_BID);

/** The shared copy of a protocol constant, or `s` itself. */
export function constant<T extends string>(s: T): T {
  return (CONSTANTS.get(s) as T | undefined) ?? s;
}

/** `held` when it equals `s` (the copy an already stored entry keeps), else `s`. */
export function same(s: string, held: string | undefined): string {
  return held === s ? held : s;
}

/** An oracle ad about to be stored (`storedKey`: the key string of the version it replaces). */
export function compactOracle(msg: OracleId, storedKey: string | undefined): void {
  msg.pubkey = same(msg.pubkey, storedKey);
  msg.oracleSignatureType = constant(msg.oracleSignatureType);
  // Exactly `{"amount":0,"proof":""}` (same members, same order), so the JSON is unchanged.
  if (msg.bid.amount === 0 && msg.bid.proof === '' && JSON.stringify(msg.bid) === NO_BID_JSON) msg.bid = NO_BID;
}

/** A capability ad about to be stored under the oracle whose key is `oracleKey` (the stored ad's string); `storedKey`: the capability key string of the version it replaces. */
export function compactCapability(msg: OracleCapability, oracleKey: string, storedKey: string | undefined): void {
  msg.oraclePubKey = same(msg.oraclePubKey, oracleKey);
  msg.capabilityPubKey = same(msg.capabilityPubKey, storedKey);
  msg.oracleSignatureType = constant(msg.oracleSignatureType);
}

function compactFact(f: Fact, capKey: string | undefined): void {
  f.signatureType = constant(f.signatureType);
  f.request.capabilityPubKey = same(f.request.capabilityPubKey, capKey);
}

/**
 * A report about to be stored. `oracleKey`: the stored ad's string of its oraclePubKey, if stored;
 * `capKey(k)`: a stored capability's string of capability key `k`, if stored.
 */
export function compactReport(msg: Report, oracleKey: string | undefined, capKey: (k: string) => string | undefined): void {
  msg.oraclePubKey = same(msg.oraclePubKey, oracleKey);
  const c = msg.content;
  c.type = constant(c.type);
  if (!('request' in c)) return;
  const k = capKey(c.request.capabilityPubKey);
  c.request.capabilityPubKey = same(c.request.capabilityPubKey, k);
  if (c.type === 'fact-conflict') for (const f of c.facts) compactFact(f, k);
  else if (c.type === 'fact-disagrees-with-public') compactFact(c.fact, k);
}

/**
 * An offer about to be stored. `peer`: another stored offer of the same maker, if any (its key and
 * contact are shared); `announcementId`: the stored announcement's id string.
 */
export function compactOffer(msg: Offer, peer: Offer | undefined, announcementId: string | undefined): void {
  msg.makerSignatureType = constant(msg.makerSignatureType);
  msg.content.chain = constant(msg.content.chain);
  msg.content.announcementId = same(msg.content.announcementId, announcementId);
  if (!peer) return;
  msg.makerPubKey = same(msg.makerPubKey, peer.makerPubKey);
  msg.content.contact = same(msg.content.contact, peer.content.contact);
}
