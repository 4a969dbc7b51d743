// web/explorer/explorer.js - the explorer's entry module: hash routes (#/?q=&tag=&page=, #/oracle/<pubkey>, #/event/<announcementId>) so every oracle and event has a linkable URL; each route renders one view.
import { directoryState, renderDirectory } from './directory.js';
import { renderEvent } from './event.js';
import { renderOracle } from './oracle.js';
import { el, HASH_RE, PUBKEY_RE } from './util.js';

const main = document.getElementById('view');
/** Stops the current view's timers (the event countdown) when the route changes. */
let stopView = () => undefined;
/** Bumped on every route change: a slow answer for an older route is dropped. */
let generation = 0;

function showError(root, err) {
  const known = err && err.name === 'ApiFailure';
  const text = known && err.status === 404 ? `Not stored on this node (${err.code}).` : `Could not load this page: ${err?.message ?? err}`;
  root.replaceChildren(el('section', { cls: 'card' }, [el('p', { text, cls: 'error', attrs: { id: 'view-error' } }), el('a', { text: '← oracle directory', attrs: { href: '#/' } })]));
}

async function route() {
  stopView();
  stopView = () => undefined;
  const mine = ++generation;
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, search = ''] = hash.split('?');
  const parts = path.split('/').filter(Boolean);
  const root = el('div', { cls: 'view' });
  main.replaceChildren(root);
  main.setAttribute('aria-busy', 'true');
  try {
    if (parts.length === 0) {
      await renderDirectory(root, directoryState(new URLSearchParams(search)));
    } else if (parts[0] === 'oracle' && parts.length === 2 && PUBKEY_RE.test(parts[1])) {
      await renderOracle(root, parts[1]);
    } else if (parts[0] === 'event' && parts.length === 2 && HASH_RE.test(parts[1])) {
      const stop = await renderEvent(root, parts[1]);
      if (mine === generation) stopView = stop;
      else stop();
    } else {
      throw new Error('unknown address: use #/oracle/<66-hex pubkey> or #/event/<64-hex announcement id>');
    }
  } catch (err) {
    if (mine === generation) showError(root, err);
  } finally {
    if (mine === generation) main.setAttribute('aria-busy', 'false');
  }
}

window.addEventListener('hashchange', () => void route());
void route();
