// web/js/api.js - calls to this node's REST API (same origin only) and the /events WebSocket with reconnection.

/** An API failure with the node's machine-readable code. */
export class ApiFailure extends Error {
  constructor(status, code, message) {
    super(`${code}: ${message}`);
    this.status = status;
    this.code = code;
  }
}

/** GET a JSON resource of this node. */
export async function getJson(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' }, cache: 'no-store' });
  let body = null;
  try {
    body = await res.json();
  } catch {
    throw new ApiFailure(res.status, 'bad-response', `HTTP ${res.status} without a JSON body`);
  }
  if (!res.ok) {
    const err = body && body.error ? body.error : { code: `http-${res.status}`, message: res.statusText };
    throw new ApiFailure(res.status, err.code, err.message);
  }
  return body;
}

/** POST `text` as is (application/json) and return the node's status and body text. */
export async function postRaw(path, text) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: text });
  return { status: res.status, statusText: res.statusText, text: await res.text() };
}

/**
 * Keep a WebSocket to /events open: reconnect after 1, 2, 4 … 30 s. `onEvent` gets each parsed
 * message; `onState` gets 'live', 'reconnecting' or 'offline' plus a note.
 */
export function connectEvents(onEvent, onState) {
  let delay = 1000;
  let timer = null;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/events`;
  const open = () => {
    timer = null;
    let ws;
    try {
      ws = new WebSocket(url);
    } catch (e) {
      onState('offline', String(e && e.message ? e.message : e));
      retry();
      return;
    }
    ws.addEventListener('open', () => {
      delay = 1000;
      onState('live', 'connected');
    });
    ws.addEventListener('message', (m) => {
      let msg;
      try {
        msg = JSON.parse(m.data);
      } catch {
        return;
      }
      try {
        onEvent(msg);
      } catch (e) {
        console.error('live event handler failed', e);
      }
    });
    ws.addEventListener('close', (ev) => {
      // 1013: the node dropped us for falling behind; 1001: it is stopping.
      onState('reconnecting', ev.code === 1013 ? 'fell behind; reconnecting' : `closed (${ev.code}); reconnecting`);
      retry();
    });
  };
  const retry = () => {
    if (timer) return;
    timer = setTimeout(open, delay);
    delay = Math.min(delay * 2, 30000);
  };
  open();
}
