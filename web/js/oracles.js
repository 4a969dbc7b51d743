// web/js/oracles.js - the oracle list at scale (GET /monitor/oracles: total, page count, compact rows with questions, tags and standing; conflicted oracles last): search by question words and tag, first/prev/next/last and a page jump; per oracle its capabilities, reports and DLC announcements (loaded when opened, kept open across refreshes).
import { getJson } from './api.js';
import { loadAnnouncements } from './announcements.js';
import { $, clip, el } from './dom.js';

const CHUNK = 10;
let page = 0;
let pages = 1;
const open = new Set();
let loading = null;
let again = false;

const fmt = (n) => Number(n).toLocaleString('en-US');

function query() {
  const form = new FormData($('#search'));
  const q = new URLSearchParams({ page: String(page), chunkSize: String(CHUNK) });
  for (const k of ['question', 'tag']) {
    const v = String(form.get(k) || '').trim();
    if (v) q.set(k, v);
  }
  return q;
}

function capabilityItem(c) {
  const li = el('li');
  li.append(el('span', c.question, 'question'));
  const meta = [`PoW ${c.pow.difficulty}`, `seqNo ${c.seqNo}`];
  if (c.off) meta.push('off');
  if (c.dlc) meta.push('DLC');
  if (c.answers && c.answers.length) meta.push(`answers: ${c.answers.join(', ')}`);
  li.append(el('span', ` (${meta.join(' · ')})`, 'muted small'));
  for (const t of c.tags || []) li.append(el('span', t, 'tag'));
  return li;
}

function reportItem(r) {
  const c = r.report.content;
  const parts = [`${r.class}: ${c.type}`];
  if (r.dispute) parts.push('disputed by the oracle with a signed fact');
  parts.push(`PoW ${r.report.pow.difficulty}`);
  const li = el('li', parts.join(' · '));
  if (c.comment) li.append(el('div', c.comment, 'muted small'));
  return li;
}

async function loadDetails(li, pubkey) {
  const pk = encodeURIComponent(pubkey);
  const [caps, reports] = await Promise.all([getJson(`/capabilities?chunkSize=100&pubkey=${pk}`), getJson(`/reports?chunkSize=100&pubkey=${pk}`)]);
  li.querySelector('.caps').replaceChildren(...(caps.length ? caps.map((e) => capabilityItem(e.capability)) : [el('li', 'none', 'muted')]));
  li.querySelector('.reports').replaceChildren(...(reports.length ? reports.map(reportItem) : [el('li', 'none', 'muted')]));
  await loadAnnouncements(pubkey, li.querySelector('.ann-upcoming'), li.querySelector('.ann-attested'));
}

/** The standing pill: proofs first (a proof is verified by the node), then claims. */
function standingText(s) {
  const parts = [];
  if (s.conflicted) parts.push(`conflicted: ${s.proofs} proof${s.proofs === 1 ? '' : 's'}`);
  else parts.push('no proofs');
  if (s.openClaims) parts.push(`${s.openClaims} open claim${s.openClaims === 1 ? '' : 's'}`);
  if (s.answeredClaims) parts.push(`${s.answeredClaims} answered`);
  return parts.join(' · ');
}

function oracleItem(o) {
  const li = $('#oracle-tpl').content.firstElementChild.cloneNode(true);
  li.dataset.pubkey = o.pubkey;
  li.querySelector('.pubkey').textContent = o.pubkey;
  li.querySelector('.rank').textContent = `PoW ${o.difficulty} · seqNo ${o.seqNo}${o.bidMsat ? ` · bid ${o.bidMsat} msat (unverified)` : ''} · ${o.capabilities} cap. · ${o.reports} rep.`;
  const pill = li.querySelector('.standing');
  pill.textContent = standingText(o.standing);
  pill.classList.add(o.standing.conflicted ? 'standing-conflicted' : 'standing-clean');
  li.querySelector('.questions').replaceChildren(...(o.questions.length ? o.questions.map((q) => el('li', clip(q, 200), 'question')) : [el('li', 'no capabilities', 'muted')]));
  li.querySelector('.tags').replaceChildren(...o.tags.map((t) => el('span', t, 'tag')));
  const details = li.querySelector('details');
  const fail = (e) => li.querySelector('.caps').replaceChildren(el('li', e.message, 'error'));
  details.addEventListener('toggle', () => {
    if (details.open) {
      open.add(o.pubkey);
      loadDetails(li, o.pubkey).catch(fail);
    } else {
      open.delete(o.pubkey);
    }
  });
  if (open.has(o.pubkey)) details.open = true;
  return li;
}

function showPager(total) {
  $('#page').textContent = fmt(page + 1);
  $('#pages').textContent = fmt(pages);
  const jump = $('#jump-page');
  jump.max = String(pages);
  jump.placeholder = `1–${pages}`;
  const first = total === 0 ? 0 : page * CHUNK + 1;
  const last = Math.min(total, (page + 1) * CHUNK);
  $('#oracle-total').textContent = total === 0 ? 'no oracles match' : `${fmt(total)} oracle${total === 1 ? '' : 's'} · showing ${fmt(first)}–${fmt(last)}`;
  $('#first').disabled = $('#prev').disabled = page === 0;
  $('#last').disabled = $('#next').disabled = page >= pages - 1;
}

async function load() {
  const list = $('#oracles');
  try {
    const r = await getJson('/monitor/oracles?' + query());
    pages = r.pages;
    // The list shrank under us (evictions, a narrower search): show its last page instead of an empty one.
    if (page > pages - 1) {
      page = pages - 1;
      again = true;
    }
    list.replaceChildren(...(r.oracles.length ? r.oracles.map(oracleItem) : [el('li', 'no oracles match', 'muted')]));
    showPager(r.total);
  } catch (e) {
    list.replaceChildren(el('li', e.message, 'error'));
  }
}

/** Reload the current page; calls made while one is running coalesce into one more. */
export async function refreshOracles() {
  if (loading) {
    again = true;
    return loading;
  }
  loading = (async () => {
    do {
      again = false;
      await load();
    } while (again);
  })();
  try {
    await loading;
  } finally {
    loading = null;
  }
}

const pendingDetails = new Set();
let detailsTimer = null;
/** Reload the details of an open oracle (a live event named it); a burst of events costs one reload per oracle. */
export function refreshOpenOracle(pubkey) {
  if (!open.has(pubkey)) return;
  pendingDetails.add(pubkey);
  if (detailsTimer) return;
  detailsTimer = setTimeout(() => {
    detailsTimer = null;
    const keys = [...pendingDetails];
    pendingDetails.clear();
    for (const li of document.querySelectorAll('#oracles li.oracle')) {
      if (keys.includes(li.dataset.pubkey) && open.has(li.dataset.pubkey)) loadDetails(li, li.dataset.pubkey).catch(() => undefined);
    }
  }, 300);
}

function go(p) {
  page = Math.max(0, Math.min(pages - 1, p));
  void refreshOracles();
}

/** Wire the search form, the pager and the page jump. */
export function initOracles() {
  $('#search').addEventListener('submit', (ev) => {
    ev.preventDefault();
    page = 0;
    void refreshOracles();
  });
  $('#first').addEventListener('click', () => go(0));
  $('#prev').addEventListener('click', () => go(page - 1));
  $('#next').addEventListener('click', () => go(page + 1));
  $('#last').addEventListener('click', () => go(pages - 1));
  $('#jump').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = Number.parseInt($('#jump-page').value, 10);
    if (Number.isFinite(v)) go(v - 1);
  });
}
