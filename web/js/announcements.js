// web/js/announcements.js - an oracle's DLC announcements in its details: upcoming (unattested, maturing from now) and attested with their outcome, from GET /announcements?oracle=… and GET /announcements/{id}. Event ids and outcomes are network text: textContent only.
import { getJson } from './api.js';
import { clip, el, shortId } from './dom.js';

/** Announcements listed per group. */
const LIMIT = 10;

function maturity(ev) {
  const d = new Date(ev.maturity);
  return Number.isNaN(d.getTime()) ? String(ev.maturityEpoch) : d.toISOString().replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
}

function outcomesText(ev) {
  if (ev.kind === 'enum' && Array.isArray(ev.outcomes)) return `outcomes: ${clip(ev.outcomes.join(' | '), 160)}`;
  if (ev.numeric) return `digits, base ${ev.numeric.base}${ev.numeric.unit ? `, unit ${clip(ev.numeric.unit, 20)}` : ''}`;
  return ev.kind;
}

function item(a, outcome) {
  const li = el('li', null, 'announcement');
  li.dataset.id = a.id;
  const id = el('code', shortId(a.id));
  id.title = a.id;
  li.append(el('span', clip(a.event.eventId, 120), 'event-id'), el('span', ` · matures ${maturity(a.event)} · `, 'muted small'), id);
  if (outcome !== undefined) li.append(el('div', `attested outcome: ${outcome === null ? '(unknown)' : String(outcome)}`, 'outcome'));
  else li.append(el('div', outcomesText(a.event), 'muted small'));
  return li;
}

/** Fill `upcomingList` and `attestedList` for oracle `pubkey`. */
export async function loadAnnouncements(pubkey, upcomingList, attestedList) {
  const pk = encodeURIComponent(pubkey);
  const nowEpoch = Math.floor(Date.now() / 1000);
  const [upcoming, attested] = await Promise.all([
    getJson(`/announcements?oracle=${pk}&attested=false&maturityAfter=${nowEpoch}&chunkSize=${LIMIT}`),
    getJson(`/announcements?oracle=${pk}&attested=true&chunkSize=${LIMIT}`),
  ]);
  // The outcome is on the details of each attested announcement (at most LIMIT requests, in parallel).
  const details = await Promise.all(attested.map((a) => getJson(`/announcements/${encodeURIComponent(a.id)}`).catch(() => null)));
  upcomingList.replaceChildren(...(upcoming.length ? upcoming.map((a) => item(a)) : [el('li', 'none', 'muted')]));
  attestedList.replaceChildren(...(attested.length ? attested.map((a, i) => item(a, details[i] ? details[i].outcome : null)) : [el('li', 'none', 'muted')]));
}
