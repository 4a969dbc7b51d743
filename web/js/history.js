// web/js/history.js - the 24 h history charts (GET /stats/history: admissions, rejections by reason, peers, P2P bytes, memory, disk) and the recent rejections table (GET /stats/rejections). Every text from the node goes in through textContent.
import { getJson } from './api.js';
import { lineChart } from './charts.js';
import { $, bytes, clip, clock, el, row, setText, shortId } from './dom.js';

let minutes = 60;
/** At most this many reasons get their own line; the rest are summed as "other". */
const MAX_REASON_LINES = 5;

const n = (v) => (v === null || v === undefined ? '—' : Number(v).toLocaleString('en-US'));
const b = (v) => (v === null || v === undefined ? '—' : bytes(v));

function when(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleString([], { hour12: false, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

function reasonSeries(byReason, len) {
  const totals = Object.entries(byReason).map(([k, vs]) => [k, vs.reduce((a, v) => a + (v || 0), 0)]);
  totals.sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
  const shown = totals.slice(0, MAX_REASON_LINES).map(([k]) => k);
  const out = shown.map((k, i) => ({ name: k, values: byReason[k], cls: `s${i}` }));
  if (totals.length > MAX_REASON_LINES) {
    const rest = new Array(len).fill(null);
    for (const [k] of totals.slice(MAX_REASON_LINES)) byReason[k].forEach((v, i) => (rest[i] = v === null ? rest[i] : (rest[i] || 0) + v));
    out.push({ name: 'other', values: rest, cls: 's5' });
  }
  return out;
}

/** Redraw the history charts. */
export async function refreshHistory() {
  const h = await getJson(`/stats/history?minutes=${minutes}`);
  const s = h.series;
  const range = { from: when(h.from), to: when(h.to) };
  setText('#history-note', h.persisted ? 'per minute · kept across restarts' : 'per minute · in memory only (no data folder)');
  lineChart($('#h-admissions'), {
    title: 'admissions per minute',
    format: n,
    ...range,
    series: [
      { name: 'accepted', values: s.accepted, cls: 's0' },
      { name: 'already known', values: s.duplicate, cls: 's2' },
      { name: 'rejected', values: s.rejected, cls: 's3' },
    ],
  });
  const reasons = reasonSeries(h.rejectedByReason, s.rejected.length);
  if (reasons.length) lineChart($('#h-reasons'), { title: 'rejections per minute by reason', format: n, ...range, series: reasons });
  else $('#h-reasons').replaceChildren(el('p', 'no rejections in this range', 'muted small chart-empty'));
  lineChart($('#h-peers'), { title: 'peers', format: n, ...range, series: [{ name: 'connected', values: s.peers, cls: 's1' }] });
  lineChart($('#h-bytes'), {
    title: 'P2P bytes per minute',
    format: b,
    ...range,
    series: [
      { name: 'in', values: s.bytesIn, cls: 's0' },
      { name: 'out', values: s.bytesOut, cls: 's4' },
    ],
  });
  lineChart($('#h-memory'), {
    title: 'memory',
    format: b,
    ...range,
    series: [
      { name: 'resident', values: s.rssBytes, cls: 's4' },
      { name: 'heap used', values: s.heapUsedBytes, cls: 's1' },
    ],
  });
  lineChart($('#h-disk'), {
    title: 'data folder',
    format: b,
    ...range,
    series: [
      { name: 'used', values: s.diskUsedBytes, cls: 's4' },
      { name: 'free on volume', values: s.diskFreeBytes, cls: 's0' },
    ],
  });
}

/** Redraw the recent rejections table. */
export async function refreshRejections() {
  const r = await getJson('/stats/rejections');
  setText('#rejections-count', `(${r.recent.length} shown of ${r.total} since start; last ${r.maxEntries} kept)`);
  const body = $('#rejections tbody');
  if (r.recent.length === 0) {
    const td = el('td', 'no rejections since start', 'muted');
    td.colSpan = 6;
    const tr = el('tr');
    tr.append(td);
    body.replaceChildren(tr);
    return;
  }
  body.replaceChildren(
    ...r.recent.map((x) => {
      const id = el('code', x.id ? shortId(x.id) : '—');
      if (x.id) id.title = x.id;
      const tr = row([{ text: clock(x.time), cls: 'mono' }, x.kind, { text: x.reason, cls: 'reason' }, `${x.source} ${clip(x.from, 40)}`, id, { text: x.message, cls: 'msg' }]);
      tr.dataset.reason = x.reason;
      return tr;
    }),
  );
}

/** Wire the range buttons. */
export function initHistory(onChange) {
  for (const btn of document.querySelectorAll('#history-range button')) {
    btn.addEventListener('click', () => {
      minutes = Number(btn.dataset.minutes);
      for (const o of document.querySelectorAll('#history-range button')) o.setAttribute('aria-pressed', String(o === btn));
      onChange();
    });
  }
}
