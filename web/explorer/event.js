// web/explorer/event.js - the event page (#/event/<announcementId>): descriptor, nonces, a maturity countdown updated every second, the attestation and its outcome, equivocation and nonce-reuse evidence, over GET /announcements/{id}; its open offers (offers.js).
import { card, duration, el, facts, getJson, keyLink, note, query, shortId, utc } from './util.js';
import { offersCard } from './offers.js';

/** "in 2h 3m 4s" / "matured 5m 6s ago". */
export function countdownText(maturityEpoch, nowMs) {
  const left = maturityEpoch - Math.floor(nowMs / 1000);
  return left > 0 ? `matures in ${duration(left)}` : `matured ${duration(-left)} ago`;
}

function descriptor(ev) {
  if (ev.kind === 'enum') {
    return facts([
      ['kind', 'enumerated outcomes'],
      ['outcomes', el('ul', { cls: 'outcomes' }, ev.outcomes.map((o) => el('li', { text: o, cls: 'tag' })))],
    ]);
  }
  const n = ev.numeric ?? {};
  return facts([
    ['kind', `numeric: ${n.nbDigits} digits in base ${n.base}${n.isSigned ? ', signed' : ''}`],
    ['range', `${n.min} … ${n.max}${n.unit ? ` ${n.unit}` : ''}`],
    ['unit', n.unit || undefined],
    ['precision', n.precision !== undefined ? String(n.precision) : undefined],
  ]);
}

function evidence(d) {
  const kids = [];
  // Both are stored proof reports ({id, report, dispute, class}): every node that holds one marks the oracle conflicted.
  if (d.equivocation) {
    kids.push(el('p', { text: `Equivocation: the oracle signed two different outcomes of this event. Its key is recoverable from the two attestations; proof report ${shortId(d.equivocation.id)}.`, cls: 'alert' }));
  }
  if (d.nonceReuse) {
    kids.push(el('p', { text: `Nonce reuse: another announcement of this DLC key commits to a nonce of this one; attesting both would reveal the key. Proof report ${shortId(d.nonceReuse.id)}.`, cls: 'alert' }));
  }
  return kids.length ? card('Evidence against the oracle', kids, 'evidence') : null;
}

/** Render the page of announcement `id` into `root`; returns a stop function for its timer. */
export async function renderEvent(root, id) {
  const d = await getJson(`/announcements/${id}`);
  const ev = d.event;
  const a = d.announcement;
  document.title = `Event ${ev.eventId} - Mega explorer`;
  // The capability's question, for people (the announcement itself carries only the event id).
  const caps = await getJson(`/capabilities${query({ pubkey: a.oraclePubKey, chunkSize: 200 })}`).catch(() => []);
  const cap = caps.find((c) => c.id === a.capabilityPubKey)?.capability;

  const countdown = el('p', { text: countdownText(ev.maturityEpoch, Date.now()), cls: 'countdown', attrs: { id: 'countdown', 'aria-live': 'off' } });
  const head = card(`Event ${ev.eventId}`, [
    cap ? el('p', { text: cap.question, cls: 'question big' }) : note('the capability of this event is not among those this node lists for the oracle'),
    countdown,
    facts([
      ['maturity', utc(ev.maturityEpoch)],
      ['oracle', keyLink(a.oraclePubKey)],
      ['capability key', el('code', { text: a.capabilityPubKey })],
      ['DLC key', el('code', { text: ev.oracleKey, cls: 'dlc-key' })],
      ['announcement id', el('code', { text: d.id })],
      ['proof of work', `${a.pow.difficulty} bits`],
    ]),
  ], 'event');
  root.append(head);
  root.append(card('Descriptor', [descriptor(ev)], 'descriptor'));
  root.append(card(`Nonces (${ev.nonces.length})`, [
    note('The R points the oracle committed to: one per digit, or one for an enum event. Each is used for one outcome, once.'),
    el('ol', { cls: 'nonces' }, ev.nonces.map((n) => el('li', {}, [el('code', { text: n })]))),
  ], 'nonces'));

  const att = d.attestation
    ? [
        el('p', { cls: 'outcome-line' }, [el('span', { text: 'Outcome: ' }), el('strong', { text: String(d.outcome), cls: 'outcome', attrs: { id: 'outcome' } })]),
        note('The node verified the attestation (BIP340 signatures under the committed nonces) before storing it.'),
        el('details', {}, [el('summary', { text: 'attestation TLV (hex)' }), el('code', { text: d.attestation.attestation, cls: 'hex' })]),
      ]
    : [el('p', { text: 'Not attested yet.', cls: 'muted', attrs: { id: 'outcome' } })];
  root.append(card('Attestation', att, 'attestation'));
  const ev2 = evidence(d);
  if (ev2) root.append(ev2);
  const offers = await offersCard(d.id);
  if (offers) root.append(offers);
  root.append(card('Announcement TLV', [el('details', {}, [el('summary', { text: 'oracle_announcement (hex)' }), el('code', { text: a.announcement, cls: 'hex' })])]));

  const timer = setInterval(() => {
    countdown.textContent = countdownText(ev.maturityEpoch, Date.now());
  }, 1000);
  return () => clearInterval(timer);
}
