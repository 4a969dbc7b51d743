// web/explorer/directory.js - the oracle directory (#/?q=&tag=&page=): search by question words and tag, standing filters, totals and page jumps, over GET /oracles.
import { card, el, getJson, keyLink, note, query, standingBadge, tagChip } from './util.js';

/** Oracles per page. */
const PAGE_SIZE = 10;
/** Questions shown per oracle in the list (its page shows them all). */
const QUESTIONS_SHOWN = 3;

/** Directory state from the hash query: `q` (question words), `tag`, `page` (from 1), `exclude=conflicted`, `manifest=verified`. */
export function directoryState(params) {
  const page = Number.parseInt(params.get('page') ?? '1', 10);
  return {
    q: (params.get('q') ?? '').trim(),
    tag: (params.get('tag') ?? '').trim(),
    page: Number.isFinite(page) && page >= 1 ? page : 1,
    exclude: params.get('exclude') === 'conflicted',
    manifest: params.get('manifest') === 'verified',
  };
}

/** The hash URL of a directory state. */
export function directoryHref(s) {
  return `#/${query({ q: s.q, tag: s.tag, page: s.page > 1 ? s.page : undefined, exclude: s.exclude ? 'conflicted' : undefined, manifest: s.manifest ? 'verified' : undefined })}`;
}

function searchForm(s) {
  const q = el('input', { attrs: { name: 'q', type: 'search', value: s.q, placeholder: 'e.g. rain berlin', maxlength: 256, autocomplete: 'off' } });
  const tag = el('input', { attrs: { name: 'tag', type: 'search', value: s.tag, placeholder: 'exact tag', maxlength: 64, autocomplete: 'off' } });
  const exclude = el('input', { attrs: { name: 'exclude', type: 'checkbox', checked: s.exclude } });
  const manifest = el('input', { attrs: { name: 'manifest', type: 'checkbox', checked: s.manifest } });
  const form = el('form', { cls: 'search', attrs: { id: 'search', role: 'search' } }, [
    el('label', {}, [el('span', { text: 'Question words' }), q]),
    el('label', {}, [el('span', { text: 'Tag' }), tag]),
    el('label', { cls: 'check' }, [exclude, el('span', { text: 'hide conflicted oracles' })]),
    el('label', { cls: 'check' }, [manifest, el('span', { text: 'verified website only' })]),
    el('button', { text: 'Search', attrs: { type: 'submit' } }),
  ]);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = directoryHref({ q: q.value.trim(), tag: tag.value.trim(), page: 1, exclude: exclude.checked, manifest: manifest.checked });
  });
  return form;
}

/** Prev / "page N of M" / next, and a page-jump input. `total` is null when the node cannot tell it cheaply. */
function pager(s, shown, total) {
  const pages = total === null ? null : Math.max(1, Math.ceil(total / PAGE_SIZE));
  const hasNext = pages === null ? shown === PAGE_SIZE : s.page < pages;
  const nav = el('nav', { cls: 'pager', attrs: { 'aria-label': 'pages' } });
  const go = (p) => directoryHref({ ...s, page: p });
  nav.append(s.page > 1 ? el('a', { text: '‹ prev', attrs: { href: go(s.page - 1), rel: 'prev' } }) : el('span', { text: '‹ prev', cls: 'muted' }));
  nav.append(el('span', { text: pages === null ? `page ${s.page}` : `page ${s.page} of ${pages}`, cls: 'page-no', attrs: { id: 'page-no' } }));
  nav.append(hasNext ? el('a', { text: 'next ›', attrs: { href: go(s.page + 1), rel: 'next' } }) : el('span', { text: 'next ›', cls: 'muted' }));
  const input = el('input', { attrs: { type: 'number', name: 'page', min: 1, max: pages ?? undefined, value: s.page, 'aria-label': 'page number' } });
  const jump = el('form', { cls: 'jump', attrs: { id: 'page-jump' } }, [el('span', { text: 'go to page' }), input, el('button', { text: 'Go', attrs: { type: 'submit' } })]);
  jump.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = Number.parseInt(input.value, 10);
    if (Number.isFinite(p) && p >= 1) location.hash = go(pages === null ? p : Math.min(p, pages));
  });
  nav.append(jump);
  return nav;
}

/** One directory entry: key (linked), standing, tags, the first questions. */
function entry(item, caps) {
  const o = item.oracle;
  const li = el('li', { cls: 'oracle-item', attrs: { 'data-pubkey': item.id } });
  li.append(el('div', { cls: 'row' }, [keyLink(item.id), standingBadge(item.standing)]));
  if (Array.isArray(o.tags) && o.tags.length) li.append(el('div', { cls: 'tags' }, o.tags.map(tagChip)));
  if (caps === null) li.append(note('questions could not be loaded'));
  else if (caps.length === 0) li.append(note('no capabilities stored'));
  else li.append(el('ul', { cls: 'questions' }, caps.map((c) => el('li', { text: c.capability.question, cls: 'question' }))));
  li.append(note(`PoW ${o.pow?.difficulty ?? '?'} bits · seqNo ${o.seqNo}${o.bid?.amount ? ` · bid ${o.bid.amount} msat (claimed)` : ''}`));
  return li;
}

/** Render the directory for state `s` into `root`. */
export async function renderDirectory(root, s) {
  document.title = s.q || s.tag ? `Oracles: ${[s.q, s.tag].filter(Boolean).join(' · ')} - Mega explorer` : 'Oracles - Mega explorer';
  const summary = el('p', { cls: 'summary', attrs: { id: 'result-summary', 'aria-live': 'polite' }, text: 'loading…' });
  const list = el('ul', { cls: 'oracle-list', attrs: { id: 'oracle-list' } });
  root.append(card('Oracle directory', [searchForm(s), summary, list], 'directory'));

  const filtered = s.q !== '' || s.tag !== '' || s.exclude || s.manifest;
  const [items, status] = await Promise.all([
    getJson(`/oracles${query({ question: s.q, tag: s.tag, exclude: s.exclude ? 'conflicted' : undefined, manifestVerified: s.manifest ? 'true' : undefined, page: s.page - 1, chunkSize: PAGE_SIZE })}`),
    // The node counts stored oracles (GET /status); a filtered search has no total without a scan.
    filtered ? Promise.resolve(null) : getJson('/status'),
  ]);
  const total = status ? status.counts.oracles : null;
  const first = (s.page - 1) * PAGE_SIZE + 1;
  const caps = await Promise.all(items.map((i) => getJson(`/capabilities${query({ pubkey: i.id, chunkSize: QUESTIONS_SHOWN })}`).catch(() => null)));
  items.forEach((item, n) => list.append(entry(item, caps[n])));
  root.querySelector('#directory').append(pager(s, items.length, total));
  // The summary last: once it reads as a result, the list and pager under it are complete.
  if (items.length === 0) summary.textContent = s.page > 1 ? `No oracles on page ${s.page}.` : 'No oracle matches.';
  else if (total !== null) summary.textContent = `${total} oracle${total === 1 ? '' : 's'} stored · showing ${first}–${first + items.length - 1}`;
  else summary.textContent = `${items.length} matching oracle${items.length === 1 ? '' : 's'} on page ${s.page} (the node gives no total for a filtered search)`;
}
