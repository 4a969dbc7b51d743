// web/explorer/offers.js - the open offers of an event (GET /offers?announcement=<id>) as a card of the event page: collaterals, payouts, expiry and the maker's contact. Network text (outcomes, contact) goes in as text only, never as a link or markup.
import { card, el, getJson, note, query, shortId, utc } from './util.js';

/** One payout line: "rain: maker 100000 / taker 0" (enum) or "at 0: maker 0" (a curve point). */
function payoutLines(p) {
  if (p.kind === 'enum') return p.outcomes.map((o) => `${o.outcome}: maker ${o.maker} / taker ${o.taker}`);
  return p.points.map((x) => `at ${x.outcome}: maker ${x.maker}`);
}

function offerRow(item) {
  const o = item.offer;
  const c = o.content;
  return el('li', { cls: 'offer', attrs: { 'data-offer-id': item.id } }, [
    el('p', { cls: 'offer-terms', text: `maker locks ${c.makerCollateral} sat, taker locks ${c.takerCollateral} sat on ${c.chain}; fee rate ${c.feeRate} sat/vB` }),
    el('ul', { cls: 'offer-payouts' }, payoutLines(c.payouts).map((t) => el('li', { text: t }))),
    el('p', { cls: 'muted small', text: `expires ${utc(c.expiresAt)}; refund after ${utc(c.refundLocktime)}; offer ${shortId(item.id)}, maker ${shortId(o.makerPubKey)}` }),
    el('p', { cls: 'small' }, [el('span', { text: 'contact (copy it into your trader daemon): ' }), el('code', { cls: 'offer-contact', text: c.contact })]),
  ]);
}

/** The "Open offers" card of announcement `id` (null when the node serves no offers listing). */
export async function offersCard(id) {
  const list = await getJson(`/offers${query({ announcement: id, chunkSize: 100 })}`).catch(() => null);
  if (!Array.isArray(list)) return null;
  const kids = list.length
    ? [note('Makers\' signed offers to bet on this event (take one with a trader daemon: docs/traders.md). Amounts in satoshis.'), el('ol', { cls: 'offers' }, list.map(offerRow))]
    : [el('p', { text: 'No open offers on this event.', cls: 'muted' })];
  return card(`Open offers (${list.length})`, kids, 'offers');
}
