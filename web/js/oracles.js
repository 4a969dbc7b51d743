// web/js/oracles.js - the oracle list ({id, oracle, standing} entries, conflicted oracles last): search by question words and tag, paging, each oracle's standing, and per oracle its capabilities and reports (loaded when opened, kept open across refreshes).
import { getJson } from './api.js';
import { $, el } from './dom.js';

const CHUNK = 10;
let page = 0;
let lastCount = 0;
const open = new Set();
let loading = null;
let again = false;

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
  const [caps, reports] = await Promise.all([
    getJson(`/capabilities?chunkSize=100&pubkey=${encodeURIComponent(pubkey)}`),
    getJson(`/reports?chunkSize=100&pubkey=${encodeURIComponent(pubkey)}`),
  ]);
  li.querySelector('.caps').replaceChildren(...(caps.length ? caps.map((e) => capabilityItem(e.capability)) : [el('li', 'none', 'muted')]));
  li.querySelector('.reports').replaceChildren(...(reports.length ? reports.map(reportItem) : [el('li', 'none', 'muted')]));
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

function oracleItem(entry) {
  const o = entry.oracle;
  const li = $('#oracle-tpl').content.firstElementChild.cloneNode(true);
  li.dataset.pubkey = o.pubkey;
  li.querySelector('.pubkey').textContent = o.pubkey;
  li.querySelector('.rank').textContent = `PoW ${o.pow.difficulty} · seqNo ${o.seqNo}${o.bid && o.bid.amount ? ` · bid ${o.bid.amount} msat (unverified)` : ''}`;
  const pill = li.querySelector('.standing');
  pill.textContent = standingText(entry.standing);
  pill.classList.add(entry.standing.conflicted ? 'standing-conflicted' : 'standing-clean');
  li.querySelector('.tags').replaceChildren(...(o.tags || []).map((t) => el('span', t, 'tag')));
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

async function load() {
  const list = $('#oracles');
  try {
    const oracles = await getJson('/oracles?' + query());
    lastCount = oracles.length;
    list.replaceChildren(...(oracles.length ? oracles.map(oracleItem) : [el('li', page === 0 ? 'no oracles match' : 'no more oracles', 'muted')]));
  } catch (e) {
    list.replaceChildren(el('li', e.message, 'error'));
  }
  $('#page').textContent = String(page + 1);
  $('#prev').disabled = page === 0;
  $('#next').disabled = lastCount < CHUNK;
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

/** Wire the search form and pager. */
export function initOracles() {
  $('#search').addEventListener('submit', (ev) => {
    ev.preventDefault();
    page = 0;
    void refreshOracles();
  });
  $('#prev').addEventListener('click', () => {
    if (page > 0) {
      page--;
      void refreshOracles();
    }
  });
  $('#next').addEventListener('click', () => {
    page++;
    void refreshOracles();
  });
}
