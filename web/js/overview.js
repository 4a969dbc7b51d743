// web/js/overview.js - node identity, mempool counts against the limits as the config names them, admissions (accepted / new: already-known items are not failures), memory and disk, the accepted-per-second chart and the peer table (with each peer's push-tree edge, kept current by `peer:relay` events), from GET /status, /id, /stats and /peers.
import { getJson } from './api.js';
import { $, bytes, clip, duration, el, percent, row, setText } from './dom.js';

const TYPES = ['oracle', 'capability', 'report', 'dispute', 'announcement', 'attestation'];
const SVG_NS = 'http://www.w3.org/2000/svg';

/** Identity from GET /status and GET /id; returns the status (its counts feed the mempool table). */
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
  return s;
}

/** "maxCapabilities 100 entries per oracle": the key, the value and the unit exactly as the config has them. */
function limitText(l) {
  const extra = l.unit === 'bytes' && l.value >= 1024 ? ` (${bytes(l.value)})` : '';
  return `${l.key} ${l.value} ${l.unit}${extra}`.trim();
}

/** Stored entries against the configured limits (GET /status counts, GET /stats limits). */
export function renderMempool(status, stats) {
  const c = status.counts;
  const limits = new Map((stats.limits || []).map((l) => [l.key, l]));
  // Only maxOracles bounds a total; capabilities and reports are limited per oracle, so no fill is drawn for them.
  const rows = [
    ['oracles', c.oracles, 'maxOracles'],
    ['capabilities', c.capabilities, 'maxCapabilities'],
    ['reports', c.reports, 'maxReports'],
    ['disputes', c.disputes, null],
  ];
  $('#mempool tbody').replaceChildren(
    ...rows.map(([name, count, key]) => {
      const l = key ? limits.get(key) : null;
      const fill = el('div');
      if (l && l.unit === 'entries') {
        const m = el('meter');
        m.min = 0;
        m.max = l.value;
        m.value = Math.min(count, l.value);
        m.high = l.value * 0.9;
        m.optimum = 0;
        m.setAttribute('aria-label', `${name} fill`);
        fill.append(m, el('span', percent(count, l.value), 'fill-text'));
      } else {
        fill.append(el('span', '—', 'fill-text'));
      }
      const limit = el('td', null, 'small limit');
      if (l) limit.append(el('span', l.key, 'limit-key'), el('span', ` ${limitText(l).slice(l.key.length + 1)}`));
      else limit.textContent = 'one per report';
      const tr = row([name, { text: count.toLocaleString('en-US'), cls: 'num' }, fill]);
      tr.insertBefore(limit, tr.lastElementChild);
      tr.dataset.type = name;
      return tr;
    }),
  );
  const shown = new Set(['maxOracles', 'maxCapabilities', 'maxReports']);
  $('#limits').replaceChildren(...[...limits.values()].filter((l) => !shown.has(l.key)).map((l) => el('li', limitText(l))));
}

/** Admissions, resources and the per-second chart from GET /stats; returns the stats. */
export async function refreshStats() {
  const s = await getJson('/stats');
  const reasons = [];
  $('#rates tbody').replaceChildren(
    ...TYPES.filter((t) => s.admissions[t]).map((t) => {
      const a = s.admissions[t];
      // Already-known items (each peer relays every item) and other shards' items are not failures.
      const fresh = a.accepted + a.rejected;
      for (const [reason, k] of Object.entries(a.rejectedByReason)) reasons.push(`${t} ${reason}: ${k}`);
      const tr = row([
        t,
        { text: a.accepted, cls: 'num' },
        { text: a.duplicate, cls: 'num' },
        { text: a.outOfShard, cls: 'num' },
        { text: a.rejected, cls: 'num' },
        { text: fresh > 0 ? `${a.accepted} / ${fresh} (${percent(a.accepted, fresh)})` : '—', cls: 'num' },
      ]);
      tr.dataset.type = t;
      return tr;
    }),
  );
  setText('#reasons', reasons.length ? `rejected by reason — ${reasons.join(' · ')}` : 'no rejections');
  const ev = TYPES.filter((t) => s.evictions[t] !== undefined).map((t) => `${t} ${s.evictions[t]}`).join(' · ');
  setText('#evictions', `evicted — ${ev}`);
  const r = s.resources;
  if (r) {
    setText('#res-rss', bytes(r.rssBytes));
    setText('#res-heap', `${bytes(r.heapUsedBytes)} of ${bytes(r.heapTotalBytes)}`);
    setText('#res-disk', r.diskUsedBytes === null ? 'no data folder' : bytes(r.diskUsedBytes));
    setText('#res-free', r.diskFreeBytes === null ? '—' : bytes(r.diskFreeBytes));
  }
  drawChart(s.acceptedPerSecond);
  if (s.shards) setText('#shard-cover', coverText(s.shards));
  return s;
}

/** One line on shard coverage from GET /stats `shards` (PROTOCOL 11.9): which outbound peers cover which shard (index/count, as in the peer table). */
function coverText(c) {
  const name = (s) => `${s.index}/${s.count}`;
  const parts = c.shards
    .filter((e) => e.wanted || e.outbound.length > 0)
    .filter((e) => !(e.shard.count === c.own.count && e.shard.index === c.own.index))
    .map((e) => {
      if (e.outbound.length > 0) return `${name(e.shard)} by ${e.outbound.map((a) => clip(a, 60)).join(', ')}`;
      return e.retryAt ? `${name(e.shard)} not covered (retry ${new Date(e.retryAt).toLocaleTimeString()})` : `${name(e.shard)} not covered yet`;
    });
  return `shard coverage — own ${name(c.own)}${parts.length ? ` · ${parts.join(' · ')}` : ' · no other shard seen'}`;
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
    td.colSpan = 7;
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
        relayCell(p.relay),
        duration(since),
        { text: `${bytes(p.bytesIn)} / ${bytes(p.bytesOut)}`, cls: 'num' },
      ]);
      tr.title = `last seen ${p.lastSeen}`;
      tr.dataset.address = p.address;
      return tr;
    }),
  );
}

/** The relay cell of a peer row: `eager` (pushed to, a push-tree edge) or `lazy` (told in lazy rounds; PROTOCOL 11.7). */
function relayCell(relay) {
  const known = relay === 'eager' || relay === 'lazy';
  return { text: known ? relay : '—', cls: known ? `relay relay-${relay}` : 'relay' };
}

/** A `peer:relay` event: set that peer's relay cell at once (the table is also reloaded shortly after any event). */
export function applyPeerRelay(p) {
  if (!p || typeof p.address !== 'string') return;
  for (const tr of $('#peers tbody').rows) {
    if (tr.dataset.address !== p.address) continue;
    const td = tr.querySelector('td.relay');
    if (!td) return;
    const c = relayCell(p.relay);
    td.textContent = c.text;
    td.className = c.cls;
    return;
  }
}

/** A one-line description of a peer for the feed. */
export function peerLine(p) {
  return `${p.address} (${p.direction}) ${clip(p.userAgent, 60)}`;
}
