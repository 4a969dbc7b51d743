// web/js/submit.js - the submit form: post an already-signed JSON message as is to POST /oracle, /capability, /report or /dispute and show the node's answer as text.
import { postRaw } from './api.js';
import { $ } from './dom.js';

/** The message type a parsed message looks like, or null. */
function guessType(msg) {
  if (!msg || typeof msg !== 'object' || Array.isArray(msg)) return null;
  if ('reportId' in msg && 'fact' in msg) return 'dispute';
  if ('content' in msg && 'oraclePubKey' in msg) return 'report';
  if ('capabilityPubKey' in msg && 'question' in msg) return 'capability';
  if ('pubkey' in msg && 'bid' in msg) return 'oracle';
  return null;
}

function show(text, ok) {
  const out = $('#submit-result');
  out.hidden = false;
  out.textContent = text;
  out.classList.toggle('ok', ok);
  out.classList.toggle('bad', !ok);
}

/** Wire the form. */
export function initSubmit(onSubmitted) {
  const body = $('#submit-body');
  const type = $('#submit-type');
  // Pick the type for the user when the pasted JSON makes it obvious.
  body.addEventListener('input', () => {
    try {
      const t = guessType(JSON.parse(body.value));
      if (t) type.value = t;
    } catch {
      // not JSON yet
    }
  });
  $('#submit').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const button = $('#submit button[type=submit]');
    const status = $('#submit-status');
    button.disabled = true;
    status.textContent = `posting to /${type.value}…`;
    try {
      const res = await postRaw(`/${type.value}`, body.value);
      let pretty = res.text;
      try {
        pretty = JSON.stringify(JSON.parse(res.text), null, 2);
      } catch {
        // not JSON: show as received
      }
      show(`HTTP ${res.status} ${res.statusText}\n${pretty}`, res.status < 300);
      status.textContent = res.status < 300 ? 'the node answered:' : 'the node refused it:';
      if (res.status < 300) onSubmitted();
    } catch (e) {
      show(`request failed: ${e.message}`, false);
      status.textContent = '';
    } finally {
      button.disabled = false;
    }
  });
}
