// web/app.js - monitoring page logic: reads /status, /oracles, /capabilities, /reports; renders network text with textContent only (never as HTML).
'use strict';
const $ = (sel) => document.querySelector(sel);
let page = 0;
const chunkSize = 20;

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

async function getJson(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  const body = await res.json();
  if (!res.ok) throw new Error(body && body.error ? body.error.code + ': ' + body.error.message : 'HTTP ' + res.status);
  return body;
}

async function refreshStatus() {
  try {
    const s = await getJson('/status');
    $('#identity').textContent = `v${s.version} · ${s.network} · shard ${s.shard.index}/${s.shard.count} · up ${s.uptimeSeconds} s · secp256k1 ${s.secp256k1}`;
    const rows = [
      ['oracles', s.counts.oracles, s.limits.maxOracles],
      ['capabilities', s.counts.capabilities, s.limits.maxCapabilities + ' per oracle'],
      ['reports', s.counts.reports, s.limits.maxReports + ' per oracle'],
      ['disputes', s.counts.disputes, '—'],
    ];
    const body = $('#counts tbody');
    body.replaceChildren(...rows.map((r) => {
      const tr = el('tr');
      for (const c of r) tr.append(el('td', c));
      return tr;
    }));
  } catch (e) {
    $('#identity').textContent = 'node unreachable: ' + e.message;
  }
}

async function loadDetails(li, pubkey) {
  const caps = await getJson('/capabilities?chunkSize=100&pubkey=' + pubkey);
  const reports = await getJson('/reports?chunkSize=100&pubkey=' + pubkey);
  li.querySelector('.caps').replaceChildren(...(caps.length ? caps.map((c) => el('li', `${c.question} (PoW ${c.pow.difficulty})`)) : [el('li', 'no capabilities', 'muted')]));
  li.querySelector('.reports').replaceChildren(...(reports.length
    ? reports.map((r) => el('li', `${r.report.content.type}${r.dispute ? ' — disputed by the oracle' : ''} (PoW ${r.report.pow.difficulty})`))
    : [el('li', 'no reports', 'muted')]));
}

async function refreshOracles() {
  const form = new FormData($('#search'));
  const q = new URLSearchParams({ page: String(page), chunkSize: String(chunkSize) });
  for (const k of ['question', 'tag']) {
    const v = String(form.get(k) || '').trim();
    if (v) q.set(k, v);
  }
  const list = $('#oracles');
  try {
    const oracles = await getJson('/oracles?' + q);
    list.replaceChildren(...oracles.map((o) => {
      const li = $('#oracle-tpl').content.firstElementChild.cloneNode(true);
      li.querySelector('.pubkey').textContent = o.pubkey;
      li.querySelector('.rank').textContent = `PoW ${o.pow.difficulty} · seqNo ${o.seqNo}`;
      li.querySelector('.tags').replaceChildren(...(o.tags || []).map((t) => el('span', t, 'tag')));
      li.querySelector('details').addEventListener('toggle', (ev) => {
        if (ev.target.open) loadDetails(li, o.pubkey).catch((e) => li.querySelector('.caps').replaceChildren(el('li', e.message)));
      });
      return li;
    }));
    if (oracles.length === 0) list.replaceChildren(el('li', 'no oracles', 'muted'));
  } catch (e) {
    list.replaceChildren(el('li', e.message));
  }
  $('#page').textContent = String(page);
}

$('#search').addEventListener('submit', (ev) => { ev.preventDefault(); page = 0; refreshOracles(); });
$('#prev').addEventListener('click', () => { if (page > 0) { page--; refreshOracles(); } });
$('#next').addEventListener('click', () => { page++; refreshOracles(); });
refreshStatus();
refreshOracles();
setInterval(refreshStatus, 5000);
