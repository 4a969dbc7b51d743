// web/explorer/oracle.js - the oracle page (#/oracle/<pubkey>): identity (PoW, verified bid, verified manifest, rotation chain), capabilities with their DLC keys and the fact form, announcements upcoming and attested with outcomes, reports by class with disputes, and two charts.
import { barChart, legend, timelineChart } from './charts.js';
import { factForm } from './fact-form.js';
import { card, el, eventHref, facts, getJson, keyLink, link, note, query, shortId, standingBadge, tagChip, utc } from './util.js';

/** Most entries of each list fetched (one page of the API at its largest useful size here). */
const LIST_MAX = 200;
/** Attested announcements whose outcome is fetched (one GET /announcements/{id} each). */
const OUTCOMES_MAX = 25;
/** Report classes in the node's order (PROTOCOL 10.6), with a word for people. */
const CLASSES = [
  ['proof', 'proofs (self-proving)', 'bar-bad'],
  ['paid-claim', 'paid claims', 'bar-warn'],
  ['claim', 'claims', 'bar-warn2'],
  ['answered', 'answered claims', 'bar-ok'],
];

function bidText(details) {
  const claimed = details.oracle.bid;
  const b = details.bid ?? { state: 'none' };
  const base = `${claimed.amount} msat claimed${claimed.paymentType ? ` (${claimed.paymentType})` : ''}`;
  if (b.state === 'verified') return `${base}; verified: ${b.amountMsat} msat paid`;
  if (b.state === 'pending') return `${base}; verification pending`;
  if (b.state === 'unverified') return `${base}; not verified: ${b.reason}`;
  return `${base}; not verifiable by this node (counts 0)`;
}

function manifestText(details) {
  if (details.manifestVerified) return el('span', { text: `verified: ${details.manifestDomain}`, cls: 'badge badge-ok', attrs: { id: 'manifest-state' } });
  const uri = details.oracle.manifestUri;
  if (!uri) return el('span', { text: 'no website manifest', cls: 'muted', attrs: { id: 'manifest-state' } });
  return el('span', { text: `not verified${details.manifestReason ? `: ${details.manifestReason}` : ''}`, cls: 'badge badge-warn', attrs: { id: 'manifest-state' } });
}

/** Keys of the rotation chain, newest first: the node's view (reputation) when it has one, else the signed `previousId` chain of the ad. */
function chainKeys(ad, reputation) {
  if (reputation) return reputation.previousKeys;
  const out = [];
  for (let p = ad.previousId; p && out.length < 64; p = p.previousId) out.push(p.pubkey);
  return out;
}

function identity(pubkey, details, reputation, standing) {
  const ad = details.oracle;
  const chain = chainKeys(ad, reputation);
  const rotation = el('div', { cls: 'chain', attrs: { id: 'rotation-chain' } });
  const newer = Array.isArray(reputation?.rotatedTo) ? reputation.rotatedTo : [];
  if (newer.length) rotation.append(el('div', { cls: 'rotated' }, [el('span', { text: 'rotated to ', cls: 'badge badge-warn' }), ...newer.map((k) => keyLink(k))]));
  if (chain.length === 0) rotation.append(el('span', { text: 'no earlier keys', cls: 'muted' }));
  else rotation.append(el('ol', { cls: 'keys' }, chain.map((k) => el('li', {}, [keyLink(k)]))));
  return card('Identity', [
    el('p', { cls: 'row' }, [el('code', { text: pubkey, cls: 'key big' }), standing ? standingBadge(standing) : null]),
    facts([
      ['proof of work', `${ad.pow.difficulty} bits (${ad.pow.algorithm}), hash ${shortId(ad.pow.hash, 12, 6)}`],
      ['rank', `verified bid ${details.rank.verifiedBid} msat, then ${details.rank.difficulty} bits of PoW`],
      ['bid', bidText(details)],
      ['website', manifestText(details)],
      ['manifest URI', ad.manifestUri ? el('code', { text: ad.manifestUri }) : undefined],
      ['tags', Array.isArray(ad.tags) && ad.tags.length ? el('span', { cls: 'tags' }, ad.tags.map(tagChip)) : 'none'],
      ['version', `seqNo ${ad.seqNo}, received ${details.receivedAt}`],
      ['stored', `${details.capabilities} capabilities, ${details.reports} reports`],
      ['earlier keys', rotation],
    ]),
  ], 'identity');
}

function capabilityItem(pubkey, c) {
  const cap = c.capability;
  const li = el('li', { cls: 'cap', attrs: { 'data-capability': c.id } });
  li.append(el('p', { text: cap.question, cls: 'question' }));
  li.append(facts([
    ['capability key', el('code', { text: cap.capabilityPubKey })],
    ['DLC key', cap.dlc ? el('code', { text: cap.dlc.oracleKey, cls: 'dlc-key' }) : 'none (no DLC announcements)'],
    ['signing version', cap.dlc ? cap.dlc.signingVersion : undefined],
    ['tags', Array.isArray(cap.tags) && cap.tags.length ? el('span', { cls: 'tags' }, cap.tags.map(tagChip)) : undefined],
    ['params', Array.isArray(cap.params) && cap.params.length ? cap.params.map((p) => `${p.name}${p.values.length ? ` ∈ {${p.values.join(', ')}}` : ''}`).join('; ') : undefined],
    ['answers', Array.isArray(cap.answers) && cap.answers.length ? cap.answers.join(', ') : undefined],
    ['endpoint', cap.endpoint ? el('code', { text: cap.endpoint }) : 'none'],
    ['fact lifetime', cap.factLifetime !== undefined ? `${cap.factLifetime} s` : undefined],
    ['state', cap.off ? 'off' : `on, PoW ${cap.pow.difficulty} bits, seqNo ${cap.seqNo}`],
  ]));
  if (cap.endpoint && !cap.off) li.append(factForm(pubkey, cap));
  return li;
}

function announcementItem(a, outcome) {
  const ev = a.event;
  const href = eventHref(a.id);
  const li = el('li', { cls: a.attested ? 'ann attested' : 'ann', attrs: { 'data-announcement': a.id } });
  li.append(el('div', { cls: 'row' }, [href ? link(href, ev.eventId, 'event-id') : el('span', { text: ev.eventId }), el('span', { text: utc(ev.maturityEpoch), cls: 'muted small' })]));
  if (a.attested) li.append(el('p', { cls: 'small' }, [el('span', { text: 'outcome: ' }), el('strong', { text: outcome === undefined ? '(see event page)' : String(outcome), cls: 'outcome' })]));
  else li.append(el('p', { text: `${ev.kind === 'enum' ? `one of ${ev.outcomes.length} outcomes` : `${ev.numeric?.nbDigits ?? '?'} digits`} · ${ev.nonces.length} nonce${ev.nonces.length === 1 ? '' : 's'}`, cls: 'muted small' }));
  return li;
}

function announcements(upcoming, attested, outcomes, nowEpoch) {
  const all = [...upcoming, ...attested];
  const kids = [];
  if (all.length === 0) return card('Announcements', [note('This oracle has no stored DLC announcements.')], 'announcements');
  kids.push(el('h3', { text: 'Events by maturity' }));
  kids.push(timelineChart('announcements of this oracle by maturity, attested and not', all.map((a) => ({ epoch: a.event.maturityEpoch, attested: a.attested })), nowEpoch));
  kids.push(legend([['bar-attested', 'attested'], ['bar-open', 'not attested yet']]));
  kids.push(el('h3', { text: `Upcoming and awaiting attestation (${upcoming.length}${upcoming.length === LIST_MAX ? '+' : ''})` }));
  kids.push(upcoming.length ? el('ul', { cls: 'ann-list', attrs: { id: 'upcoming' } }, upcoming.map((a) => announcementItem(a))) : note('none'));
  kids.push(el('h3', { text: `Attested (${attested.length}${attested.length === LIST_MAX ? '+' : ''})` }));
  kids.push(attested.length ? el('ul', { cls: 'ann-list', attrs: { id: 'attested' } }, attested.map((a) => announcementItem(a, outcomes.get(a.id)))) : note('none'));
  return card('Announcements', kids, 'announcements');
}

function reportItem(r) {
  const c = r.report.content;
  const li = el('li', { cls: `report report-${r.class}`, attrs: { 'data-report': r.id } });
  li.append(el('div', { cls: 'row' }, [el('strong', { text: c.type, cls: 'report-type' }), el('code', { text: shortId(r.id), cls: 'muted' })]));
  // DLC proofs carry TLVs, not a fact request.
  const pairs = c.request ? [['request', `${shortId(c.request.capabilityPubKey)} ${JSON.stringify(c.request.arguments)}`]] : [['capability', shortId(c.capabilityPubKey)]];
  if (c.type === 'dlc-equivocation') pairs.push(['proof', 'two attestations of one event with different outcomes: the DLC key is recoverable']);
  if (c.type === 'dlc-nonce-reuse') pairs.push(['proof', 'two announcements of one DLC key sharing a nonce']);
  if (c.type === 'fact-missing' && eventHref(c.announcementId)) pairs.push(['event', link(eventHref(c.announcementId), shortId(c.announcementId))]);
  if (c.type === 'fact-conflict') pairs.push(['answers signed', c.facts.map((f) => f.answer).join(' ≠ ')]);
  if (c.type === 'fact-disagrees-with-public') pairs.push(['answer', c.fact.answer], ['comment', c.comment]);
  if (c.type === 'fact-missing') pairs.push(['payment', c.payment ? (c.payment.invoice ? 'paid (invoice and preimage)' : `said paid: ${c.payment.proof}`) : 'none']);
  if (r.report.oraclePubKey !== undefined) pairs.push(['against key', shortId(r.report.oraclePubKey)]);
  pairs.push(['PoW', `${r.report.pow.difficulty} bits`]);
  pairs.push(['dispute', r.dispute ? el('span', { text: `answered: ${r.dispute.fact.answer}`, cls: 'dispute' }) : c.type === 'fact-missing' ? 'not answered' : undefined]);
  li.append(facts(pairs));
  return li;
}

function reports(list) {
  const counts = CLASSES.map(([cls, label, bar]) => ({ label, value: list.filter((r) => r.class === cls).length, cls: bar, key: cls }));
  // A chart of four zeros says nothing a sentence does not.
  if (list.length === 0) return card('Reports', [note('No reports against this oracle or its earlier keys.')], 'reports');
  const kids = [barChart('reports against this oracle by class', counts)];
  for (const [cls, label] of CLASSES) {
    const of = list.filter((r) => r.class === cls);
    if (of.length === 0) continue;
    kids.push(el('h3', { text: `${label} (${of.length})` }));
    kids.push(el('ul', { cls: 'report-list', attrs: { 'data-class': cls } }, of.map(reportItem)));
  }
  if (list.length === LIST_MAX) kids.push(note(`showing the first ${LIST_MAX} reports`));
  return card('Reports', kids, 'reports');
}

/** Render the page of oracle `pubkey` into `root`. */
export async function renderOracle(root, pubkey) {
  document.title = `Oracle ${shortId(pubkey)} - Mega explorer`;
  const nowEpoch = Math.floor(Date.now() / 1000);
  const [details, reputation, caps, reportList, upcoming, attested] = await Promise.all([
    getJson(`/oracles/${pubkey}`),
    getJson(`/oracles/${pubkey}/reputation`).catch(() => null),
    getJson(`/capabilities${query({ pubkey, chunkSize: LIST_MAX })}`),
    getJson(`/reports${query({ pubkey, chunkSize: LIST_MAX })}`),
    getJson(`/announcements${query({ oracle: pubkey, attested: 'false', chunkSize: LIST_MAX })}`),
    getJson(`/announcements${query({ oracle: pubkey, attested: 'true', chunkSize: LIST_MAX })}`),
  ]);
  // Latest attested first; their outcomes come with the single-announcement view.
  attested.reverse();
  const outcomes = new Map();
  await Promise.all(attested.slice(0, OUTCOMES_MAX).map(async (a) => {
    const d = await getJson(`/announcements/${a.id}`).catch(() => null);
    if (d) outcomes.set(a.id, d.outcome);
  }));
  // The node's standing comes with every listing entry (PROTOCOL 10.4); without a capability, from the reputation counts.
  const standing = caps[0]?.standing ?? (reputation ? { conflicted: reputation.conflicted, proofs: reputation.verifiedConflicts, openClaims: reputation.undisputedMissing, answeredClaims: reputation.disputedMissing } : null);
  root.append(identity(pubkey, details, reputation, standing));
  root.append(card(`Capabilities (${caps.length})`, caps.length ? [el('ul', { cls: 'cap-list' }, caps.map((c) => capabilityItem(pubkey, c)))] : [note('No capabilities stored.')], 'capabilities'));
  root.append(announcements(upcoming, attested, outcomes, nowEpoch));
  root.append(reports(reportList));
}
