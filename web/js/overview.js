// web/js/overview.js - node identity, mempool fill against its limits, admission rates, the accepted-per-second chart and the peer table, from GET /status, /id, /stats and /peers.
import { getJson } from './api.js';
import { $, bytes, clip, duration, el, percent, row, setText } from './dom.js';

const TYPES = ['oracle', 'capability', 'report', 'dispute'];
const SVG_NS = 'http://www.w3.org/2000/svg';

/** Identity and mempool fill from GET /status and GET /id. */
export async function refreshStatus() {
  const [s, id] = await Promise.all([getJson('/status'), getJson('/id')]);
  setText('#id-network', s.network);
  setText('#id-version', s.version);
  setText('#id-uptime', duration(s.uptimeSeconds));
  setText('#id-shard', s.shard.count > 1 ? `${s.shard.index} of ${s.shard.count}` : 'all (1 of 1)');
  setText('#id-secp', s.secp256k1 === 'native' ? 'native secp256k1' : `${s.secp256k1 ?? '?'} (slow fallback)`);
  const parts = [];
  if (id && id.rewardAddress) parts.push(`reward ${id.rewardAddress}`);
  if (id && id.manifestUri) parts.push(`manifest ${id.manifestUri}`);
  if (id && id.pow) parts.push(`PoW ${id.pow.difficulty}`);
  setText('#id-facilitator', parts.length ? parts.join(' · ') : 'not configured');

  const c = s.counts;
  const l = s.limits;
  // Capabilities and reports are limited per oracle: their room grows with the stored oracles.
  const perOracle = (limit) => ({ cap: limit * Math.max(c.oracles, 1), text: `${limit}/oracle × ${c.oracles}` });
  const rows = [
    ['oracles', c.oracles, { cap: l.maxOracles, text: String(l.maxOracles) }],
    ['capabilities', c.capabilities, perOracle(l.maxCapabilities)],
    ['reports', c.reports, perOracle(l.maxReports)],
    ['disputes', c.disputes, { cap: 0, text: '1/report' }],
  ];
  $('#mempool tbody').replaceChildren(
    ...rows.map(([name, n, lim]) => {
      const fill = el('div');
      if (lim.cap > 0) {
        const m = el('meter');
        m.min = 0;
        m.max = lim.cap;
        m.value = Math.min(n, lim.cap);
        m.high = lim.cap * 0.9;
        m.optimum = 0;
        m.setAttribute('aria-label', `${name} fill`);
        fill.append(m, el('span', percent(n, lim.cap), 'fill-text'));
      } else {
        fill.append(el('span', '—', 'fill-text'));
      }
      return row([name, { text: n, cls: 'num' }, { text: lim.text, cls: 'small' }, fill]);
    }),
  );
}

/** Admission rates and the chart from GET /stats. */
export async function refreshStats() {
  const s = await getJson('/stats');
  const reasons = [];
  $('#rates tbody').replaceChildren(
    ...TYPES.map((t) => {
      const a = s.admissions[t];
      const total = a.accepted + a.duplicate + a.outOfShard + a.rejected;
      for (const [reason, n] of Object.entries(a.rejectedByReason)) reasons.push(`${t} ${reason}: ${n}`);
      return row([t, { text: a.accepted, cls: 'num' }, { text: a.duplicate + a.outOfShard, cls: 'num' }, { text: a.rejected, cls: 'num' }, { text: percent(a.accepted, total), cls: 'num' }]);
    }),
  );
  setText('#reasons', reasons.length ? `rejected by reason — ${reasons.join(' · ')}` : 'no rejections');
  const ev = TYPES.map((t) => `${t} ${s.evictions[t]}`).join(' · ');
  setText('#evictions', `evicted — ${ev}`);
  drawChart(s.acceptedPerSecond);
}

/** Bars of accepted items per second, built as SVG elements (no markup strings). */
function drawChart(series) {
  const max = Math.max(1, ...series);
  const w = series.length;
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} 100`);
  svg.setAttribute('preserveAspectRatio', 'none');
  series.forEach((v, i) => {
    const h = (v / max) * 100;
    const r = document.createElementNS(SVG_NS, 'rect');
    r.setAttribute('x', String(i + 0.1));
    r.setAttribute('width', '0.8');
    r.setAttribute('y', String(100 - h));
    r.setAttribute('height', String(h));
    const title = document.createElementNS(SVG_NS, 'title');
    title.textContent = `${v} accepted, ${w - 1 - i} s ago`;
    r.append(title);
    svg.append(r);
  });
  $('#chart').replaceChildren(svg);
  setText('#chart-max', `peak ${Math.max(...series)}/s`);
}

/** The peer table from GET /peers. */
export async function refreshPeers() {
  const peers = await getJson('/peers');
  setText('#peer-count', `(${peers.length})`);
  const body = $('#peers tbody');
  if (peers.length === 0) {
    const td = el('td', 'no peers connected', 'muted');
    td.colSpan = 6;
    const tr = el('tr');
    tr.append(td);
    body.replaceChildren(tr);
    return;
  }
  const now = Date.now();
  body.replaceChildren(
    ...peers.map((p) => {
      const since = (now - new Date(p.connectedSince).getTime()) / 1000;
      const tr = row([
        { text: p.address, cls: 'mono' },
        p.direction === 'inbound' ? 'in' : 'out',
        { text: p.userAgent, cls: 'ua' },
        p.shard ? `${p.shard.index}/${p.shard.count}` : '—',
        duration(since),
        { text: `${bytes(p.bytesIn)} / ${bytes(p.bytesOut)}`, cls: 'num' },
      ]);
      tr.title = `last seen ${p.lastSeen}`;
      return tr;
    }),
  );
}

/** A one-line description of a peer for the feed. */
export function peerLine(p) {
  return `${p.address} (${p.direction}) ${clip(p.userAgent, 60)}`;
}
