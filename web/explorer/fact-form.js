// web/explorer/fact-form.js - the fact-request form of a capability: its params as inputs, POST /fact-requests through this node (PROTOCOL 10.7), the node-verified fact or the oracle's invoice shown as text.
import { el, facts, HASH_RE, utc } from './util.js';

/** The visible result of one request. */
function showFact(out, body) {
  const f = body.fact;
  out.className = 'fact-result ok';
  out.replaceChildren(
    el('p', { cls: 'fact-answer-line' }, [el('span', { text: 'Answer: ' }), el('strong', { text: f.answer, cls: 'fact-answer' })]),
    el('p', {
      cls: 'small',
      text: 'Verified by this node: it checked the signature against the capability key (PROTOCOL 4.3) before answering. Anyone can check it again with the key and signature below.',
    }),
    facts([
      ['arguments', JSON.stringify(f.request.arguments)],
      ['capability key', el('code', { text: f.request.capabilityPubKey })],
      ['signature', el('code', { text: f.signature, cls: 'fact-signature' })],
      ['signature type', f.signatureType],
      ['served from', body.cached ? "the node's cache" : 'the oracle, just now'],
    ]),
  );
}

function showInvoice(out, body, hashInput) {
  out.className = 'fact-result pay';
  out.replaceChildren(
    el('p', { text: 'Payment required: the oracle asks to be paid for this fact. Pay the invoice with your Lightning wallet, then ask again with its payment hash (filled in above).', cls: 'pay-line' }),
    facts([
      ['invoice', el('code', { text: body.invoice, cls: 'invoice' })],
      ['payment hash', el('code', { text: body.paymentHash })],
      ['expires', typeof body.expiresAt === 'number' ? utc(body.expiresAt) : undefined],
    ]),
  );
  if (HASH_RE.test(String(body.paymentHash))) hashInput.value = body.paymentHash;
}

function showError(out, status, body) {
  out.className = 'fact-result bad';
  const code = body?.error?.code ?? body?.code ?? 'http-error';
  const message = body?.error?.message ?? body?.message ?? '';
  out.replaceChildren(el('p', { text: `Refused (HTTP ${status}): ${code}${message ? ` - ${message}` : ''}`, cls: 'fact-error' }));
}

/** The form, folded in a <details> under the capability. */
export function factForm(oraclePubKey, cap) {
  const inputs = [];
  const fields = (Array.isArray(cap.params) ? cap.params : []).map((p) => {
    let input;
    if (Array.isArray(p.values) && p.values.length > 0) {
      input = el('select', { attrs: { name: p.name } }, p.values.map((v) => el('option', { text: v, attrs: { value: v } })));
    } else {
      input = el('input', { attrs: { name: p.name, type: 'text', maxlength: 256, autocomplete: 'off' } });
    }
    inputs.push([p.name, input]);
    return el('label', {}, [el('span', { text: p.name }), input]);
  });
  const hashInput = el('input', { attrs: { name: 'paymentHash', type: 'text', pattern: '[0-9a-f]{64}', maxlength: 64, autocomplete: 'off', placeholder: 'only after paying an invoice' } });
  const out = el('div', { cls: 'fact-result', attrs: { 'aria-live': 'polite' } });
  const button = el('button', { text: 'Ask through this node', attrs: { type: 'submit' } });
  const form = el('form', { cls: 'fact-form' }, [
    ...(fields.length ? fields : [el('p', { text: 'This question takes no arguments.', cls: 'muted small' })]),
    el('label', {}, [el('span', { text: 'payment hash' }), hashInput]),
    button,
    out,
  ]);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const args = {};
    for (const [name, input] of inputs) args[name] = input.value;
    const body = { oraclePubKey, request: { capabilityPubKey: cap.capabilityPubKey, arguments: args } };
    const hash = hashInput.value.trim();
    if (hash !== '') body.paymentHash = hash;
    button.disabled = true;
    out.className = 'fact-result';
    out.replaceChildren(el('p', { text: 'asking the oracle through this node…', cls: 'muted' }));
    try {
      const res = await fetch('/fact-requests', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
      const answer = await res.json().catch(() => null);
      if (res.status === 200 && answer?.fact) showFact(out, answer);
      else if (res.status === 402 && answer?.code === 'payment-required') showInvoice(out, answer, hashInput);
      else showError(out, res.status, answer);
    } catch (err) {
      showError(out, 0, { code: 'network-error', message: String(err?.message ?? err) });
    } finally {
      button.disabled = false;
    }
  });
  return el('details', { cls: 'ask' }, [el('summary', { text: 'Ask this question' }), form]);
}
