// web/js/feed.js - the live feed list: accepted and evicted items, DLC announcements, attestations and proofs, and peer events (connect, leave, push-tree edge eager/lazy) from /events, newest first, batched per animation frame and capped.
import { $, clip, clock, el, shortId } from './dom.js';
import { peerLine } from './overview.js';

const MAX_ITEMS = 100;
let queue = [];
let scheduled = false;

function describe(e) {
  switch (e.event) {
    case 'mempool:accepted': {
      const bits = [];
      if (e.question !== undefined) bits.push(clip(e.question, 300));
      if (e.reportType) bits.push(e.reportType);
      if (e.tags && e.tags.length) bits.push(`tags: ${e.tags.join(', ')}`);
      if (e.replaced) bits.push('(new version)');
      return { label: 'accepted', cls: 'ev-accepted', type: e.type, id: e.id, text: bits.join(' · ') };
    }
    case 'mempool:evicted':
      return { label: 'evicted', cls: 'ev-evicted', type: e.type, id: e.id, text: e.cause === 'rank' ? 'outranked by a newcomer' : e.cause === 'expired' ? 'expired' : 'its oracle was evicted' };
    // Announcements and attestations also come as mempool:accepted (type announcement/attestation),
    // which the feed already shows: their DLC-specific events would list each twice.
    case 'announcement:accepted':
    case 'attestation:accepted':
      return null;
    case 'report:proof':
      return { label: 'proof', cls: 'ev-evicted', type: e.type, id: e.oraclePubKey, text: `DLC fault proven on ${e.announcementIds.length} announcement${e.announcementIds.length === 1 ? '' : 's'}` };
    case 'peer:connect':
      return { label: 'peer connected', cls: 'ev-peer', type: '', id: '', text: peerLine(e.peer) };
    case 'peer:disconnect':
      return { label: 'peer left', cls: 'ev-peer', type: '', id: '', text: peerLine(e.peer) };
    case 'peer:relay':
      return { label: 'peer relay', cls: 'ev-peer', type: '', id: '', text: `${peerLine(e.peer)} now ${e.peer.relay === 'eager' ? 'eager (pushed to: grafted)' : 'lazy (announced to: pruned)'}` };
    default:
      return null;
  }
}

function item(e) {
  const d = describe(e);
  if (!d) return null;
  const li = el('li');
  li.dataset.event = e.event;
  li.append(el('span', clock(e.time), 't'), el('span', d.label, `ev ${d.cls}`));
  if (d.type) li.append(el('span', d.type));
  if (d.id) {
    const id = el('code', shortId(d.id));
    id.title = d.id;
    li.append(id);
  }
  if (d.text) li.append(el('span', d.text, 'text'));
  return li;
}

function flush() {
  scheduled = false;
  const list = $('#feed');
  const batch = queue.slice(-MAX_ITEMS);
  queue = [];
  const empty = list.querySelector('.empty');
  if (empty) empty.remove();
  for (const e of batch) {
    const li = item(e);
    if (li) list.prepend(li);
  }
  while (list.children.length > MAX_ITEMS) list.lastElementChild.remove();
}

/** Queue one live event for display. */
export function addFeedEvent(e) {
  queue.push(e);
  if (queue.length > MAX_ITEMS * 2) queue = queue.slice(-MAX_ITEMS);
  if (!scheduled) {
    scheduled = true;
    // rAF does not run in a hidden tab; a timer does, so the feed is current when the tab returns.
    (document.hidden ? (f) => setTimeout(f, 250) : requestAnimationFrame)(flush);
  }
}

/** Show the placeholder until the first event. */
export function initFeed() {
  $('#feed').replaceChildren(el('li', 'waiting for events…', 'empty'));
}
