// web/app.js - monitoring page entry (an ES module): polls /status, /id, /stats, /peers and /stats/rejections, the 24 h history each minute, follows /events live, and refreshes what an event changes.
import { connectEvents } from './js/api.js';
import { $, setText } from './js/dom.js';
import { addFeedEvent, initFeed } from './js/feed.js';
import { initHistory, refreshHistory, refreshRejections } from './js/history.js';
import { initOracles, refreshOpenOracle, refreshOracles } from './js/oracles.js';
import { applyPeerRelay, refreshPeers, refreshStats, refreshStatus, renderMempool } from './js/overview.js';
import { initSubmit } from './js/submit.js';

const POLL_MS = 5000;
// The history has one point per minute: polling it more often would redraw the same charts.
const HISTORY_POLL_MS = 60_000;
// Events can arrive thousands per second: refresh at most this often in response to them.
const EVENT_REFRESH_MS = 300;

function showError(e) {
  const box = $('#error');
  if (e) {
    box.hidden = false;
    box.textContent = `node unreachable or failing: ${e.message}`;
  } else {
    box.hidden = true;
  }
}

async function refreshOverview() {
  try {
    const [status, stats] = await Promise.all([refreshStatus(), refreshStats(), refreshPeers(), refreshRejections()]);
    renderMempool(status, stats);
    showError(null);
  } catch (e) {
    showError(e);
  }
}

async function refreshCharts() {
  try {
    await refreshHistory();
  } catch (e) {
    showError(e);
  }
}

const timers = { overview: null, oracles: null };
const refreshers = { overview: refreshOverview, oracles: refreshOracles };
/** Refresh `which` shortly; calls while one is pending add nothing. */
function soon(which) {
  if (timers[which]) return;
  timers[which] = setTimeout(() => {
    timers[which] = null;
    void refreshers[which]();
  }, EVENT_REFRESH_MS);
}

function onEvent(e) {
  if (e.event === 'hello') return;
  addFeedEvent(e);
  // A peer's push-tree edge turned eager or lazy: its row shows it at once.
  if (e.event === 'peer:relay') applyPeerRelay(e.peer);
  soon('overview');
  // Any accepted or evicted item can change an oracle's capabilities, reports or presence.
  if (e.event === 'mempool:accepted' || e.event === 'mempool:evicted') soon('oracles');
  // An open oracle shows its announcements: a new one, an attestation or a proof changes them.
  if (e.event === 'announcement:accepted' || e.event === 'attestation:accepted' || e.event === 'report:proof') refreshOpenOracle(e.oraclePubKey);
}

function onState(state, note) {
  const pill = $('#live-state');
  setText(pill, state === 'live' ? 'live' : note);
  pill.className = `pill ${state === 'live' ? 'pill-on' : 'pill-off'}`;
  // Whatever happened while disconnected is not in the feed: reload the lists.
  if (state === 'live') {
    soon('overview');
    soon('oracles');
  }
}

initFeed();
initOracles();
initSubmit(() => soon('overview'));
initHistory(() => void refreshCharts());
void refreshOverview();
void refreshOracles();
void refreshCharts();
connectEvents(onEvent, onState);
setInterval(() => void refreshOverview(), POLL_MS);
setInterval(() => void refreshCharts(), HISTORY_POLL_MS);
