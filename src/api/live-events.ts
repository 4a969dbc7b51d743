/** api/live-events.ts - the `/events` WebSocket feed: one-way JSON events to a capped set of clients, each with its filters (api/live-subscriptions.ts) and a bounded send queue (slow clients are dropped, never buffered without limit); every event numbered so a client that reconnects resumes from the last one it saw. Imports ws and api; never mempool or p2p. */
import crypto from 'node:crypto';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../log.ts';
import {
  EVENTS_PATH,
  LIVE_CLOSE_GRACE_MS,
  LIVE_MAX_BUFFERED_BYTES,
  LIVE_MAX_CLIENTS,
  LIVE_MAX_INBOUND_BYTES,
  LIVE_MAX_QUEUED_MESSAGES,
  LIVE_PING_INTERVAL_MS,
  LIVE_REPLAY_MAX_BYTES,
  LIVE_REPLAY_MAX_EVENTS,
} from './constants.ts';
import type { PeerJson } from './peers.ts';
import { matches, parseSubscription, ReplayRing, type LiveFilter, type Subscription } from './live-subscriptions.ts';

/** Entity types named in the feed. */
export type LiveItemType = 'oracle' | 'capability' | 'report' | 'dispute' | 'announcement' | 'attestation' | 'offer';

/** One message of the feed (JSON text frames; `event` is the discriminator, `time` ISO 8601). */
export type LiveEvent =
  | {
      event: 'hello';
      time: string;
      maxQueuedMessages: number;
      maxBufferedBytes: number;
      /** Names this run of the node: sequence numbers restart with a new epoch. */
      epoch: string;
      /** Sequence number of the last event published before this client joined. */
      seq: number;
      /** For a client that asked to resume (`since`, `epoch`): events replayed, and whether nothing it asked for was lost (false: list again). */
      resume?: { replayed: number; complete: boolean };
    }
  | {
      event: 'mempool:accepted';
      time: string;
      type: LiveItemType;
      /** oracle: pubkey; capability: capabilityPubKey; report: report id; dispute: dispute id. */
      id: string;
      oraclePubKey: string;
      replaced: boolean;
      /** Capability question (network text). */
      question?: string;
      /** Oracle or capability tags (network text). */
      tags?: string[];
      /** Report content type. */
      reportType?: string;
    }
  | { event: 'mempool:evicted'; time: string; type: LiveItemType; id: string; oraclePubKey: string; cause: string }
  | { event: 'peer:connect' | 'peer:disconnect' | 'peer:relay'; time: string; peer: PeerJson }
  | { event: 'announcement:accepted'; time: string; id: string; oraclePubKey: string; capabilityPubKey: string; replaced: boolean }
  | { event: 'attestation:accepted'; time: string; id: string; announcementId: string; oraclePubKey: string }
  | { event: 'offer:accepted'; time: string; id: string; announcementId: string; oraclePubKey: string; makerPubKey: string; status: 'open' | 'cancelled' | 'taken'; replaced: boolean }
  | {
      event: 'report:proof';
      time: string;
      /** The fault proven (docs/PROTOCOL.md "DLC oracles", evidence). */
      type: 'dlc-equivocation' | 'dlc-nonce-reuse';
      /** The DLC (x-only) key that equivocated or reused a nonce, and its Mega oracle key. */
      oracleKey: string;
      oraclePubKey: string;
      /** The announcement attested twice, or the two sharing a nonce. */
      announcementIds: string[];
      nonce: string;
    };

/** Why a client left other than by closing itself. */
export type LiveDropReason = 'slow-client' | 'max-clients' | 'no-pong';

/** Limits of the feed (defaults in constants.ts; tests shrink them). */
export interface LiveEventsOptions {
  maxClients: number;
  maxQueuedMessages: number;
  maxBufferedBytes: number;
  closeGraceMs: number;
  pingIntervalMs: number;
}

/** Injected collaborators. */
export interface LiveEventsDeps {
  log: Logger;
  /** Clock for the `hello` time (default Date.now). */
  now?: () => number;
  /** Told about every drop (metrics). Must not throw. */
  onDrop?: (reason: LiveDropReason) => void;
}

/** Default limits. */
export const LIVE_EVENTS_DEFAULTS: LiveEventsOptions = {
  maxClients: LIVE_MAX_CLIENTS,
  maxQueuedMessages: LIVE_MAX_QUEUED_MESSAGES,
  maxBufferedBytes: LIVE_MAX_BUFFERED_BYTES,
  closeGraceMs: LIVE_CLOSE_GRACE_MS,
  pingIntervalMs: LIVE_PING_INTERVAL_MS,
};

interface ClientState {
  /** Sends handed to the socket whose write callback has not fired yet. */
  pending: number;
  /** Answered the last ping. */
  alive: boolean;
  remote: string;
  filter: LiveFilter | null;
}

/**
 * The live feed. Lifecycle: `attach(server)` once the HTTP server exists, `publish()` any time
 * (a no-op without clients, so the admission path pays nothing when nobody watches), `stop()`
 * once: it closes every client with 1001 and destroys sockets that do not finish within the grace.
 */
export class LiveEvents {
  private readonly opts: LiveEventsOptions;
  private readonly log: Logger;
  private readonly onDrop: (reason: LiveDropReason) => void;
  private readonly now: () => number;
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: LIVE_MAX_INBOUND_BYTES, clientTracking: false });
  private readonly clients = new Map<WebSocket, ClientState>();
  /** Servers whose upgrades this feed takes (the HTTP listener, and the HTTPS one when configured). */
  private readonly servers: http.Server[] = [];
  private pingTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Sequence number of the last event published (each event carries its own as `seq`). */
  private seq = 0;
  private readonly epoch = crypto.randomBytes(8).toString('hex');
  /** Recent events for resuming clients; kept from the first client on (a node nobody watches builds no events). */
  private readonly ring = new ReplayRing(LIVE_REPLAY_MAX_EVENTS, LIVE_REPLAY_MAX_BYTES);
  private ringActive = false;
  private readonly onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => this.handleUpgrade(req, socket, head);

  constructor(opts: Partial<LiveEventsOptions>, deps: LiveEventsDeps) {
    this.opts = { ...LIVE_EVENTS_DEFAULTS, ...opts };
    this.log = deps.log;
    this.onDrop = deps.onDrop ?? (() => undefined);
    this.now = deps.now ?? Date.now;
  }

  /** Clients connected now. */
  get clientCount(): number {
    return this.clients.size;
  }

  /** Take over WebSocket upgrades of `server` (only `/events` is served; other upgrade paths get 404). Several servers may share the feed. */
  attach(server: http.Server): void {
    if (this.servers.includes(server)) throw new Error('LiveEvents.attach called twice for one server');
    this.servers.push(server);
    server.on('upgrade', this.onUpgrade);
    if (!this.pingTimer) {
      this.pingTimer = setInterval(() => this.heartbeat(), this.opts.pingIntervalMs);
      this.pingTimer.unref();
    }
  }

  /** Send `e` to every client whose filters it passes, numbered. Never throws. */
  publish(make: () => LiveEvent): void {
    if (this.clients.size === 0 && !this.ringActive) return; // nobody ever watched: the event is not even built
    let event: LiveEvent;
    let data: string;
    try {
      event = make();
      data = JSON.stringify({ ...event, seq: this.seq + 1 });
    } catch (err) {
      this.log.error({ err }, 'live event not serializable');
      return;
    }
    this.seq += 1;
    this.ring.push(this.seq, event, data);
    for (const [ws, state] of this.clients) if (matches(state.filter, event)) this.sendTo(ws, state, data);
  }

  /** Events held for resuming clients (limits table, tests). */
  replaySize(): { entries: number; bytes: number } {
    return this.ring.size();
  }

  /** Close every client (1001) and stop accepting; resolves when all are gone (at most the close grace). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
    for (const server of this.servers) server.off('upgrade', this.onUpgrade);
    this.servers.length = 0;
    const closing = [...this.clients.keys()].map((ws) => this.closeWithGrace(ws, 1001, 'node stopping'));
    this.clients.clear();
    await Promise.all(closing);
  }

  private handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined); // a reset during the handshake is the client's business
    try {
      const path = new URL(req.url ?? '/', 'http://node').pathname;
      if (path !== EVENTS_PATH) {
        refuse(socket, '404 Not Found');
        return;
      }
      const sub = parseSubscription(new URL(req.url ?? '/', 'http://node').searchParams);
      if ('error' in sub) {
        refuse(socket, '400 Bad Request', `X-Mega-Error: ${sub.error.replace(/[^\x20-\x7e]/g, '?')}\r\n`);
        return;
      }
      if (this.stopped || this.clients.size >= this.opts.maxClients) {
        refuse(socket, '503 Service Unavailable', 'Retry-After: 10\r\n');
        if (!this.stopped) this.onDrop('max-clients');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.addClient(ws, req, sub));
    } catch (err) {
      this.log.warn({ err }, 'live events: upgrade failed');
      socket.destroy();
    }
  }

  private addClient(ws: WebSocket, req: http.IncomingMessage, sub: Subscription): void {
    // The cap is checked again: two handshakes may have been in flight at once.
    if (this.stopped || this.clients.size >= this.opts.maxClients) {
      ws.close(1013, 'too many live clients');
      return;
    }
    const state: ClientState = { pending: 0, alive: true, remote: `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`, filter: sub.filter };
    this.ringActive = true;
    this.clients.set(ws, state);
    ws.on('pong', () => {
      state.alive = true;
    });
    ws.on('error', (err) => {
      this.log.debug({ remote: state.remote, err: err.message }, 'live client error');
    });
    ws.on('close', () => {
      this.clients.delete(ws);
    });
    this.log.debug({ remote: state.remote, clients: this.clients.size }, 'live client connected');
    const hello: LiveEvent = {
      event: 'hello',
      time: new Date(this.now()).toISOString(),
      maxQueuedMessages: this.opts.maxQueuedMessages,
      maxBufferedBytes: this.opts.maxBufferedBytes,
      epoch: this.epoch,
      seq: this.seq,
    };
    // A resume replays what the ring still holds after `since`, at most half the send queue; anything
    // less than all of it is said, so the client lists again instead of trusting a feed with a hole.
    let replay: string[] = [];
    if (sub.since !== undefined) {
      const r = sub.epoch === this.epoch ? this.ring.after(sub.since, state.filter, Math.floor(this.opts.maxQueuedMessages / 2)) : { data: [], complete: false };
      replay = r.data;
      hello.resume = { replayed: r.data.length, complete: r.complete && sub.since <= this.seq };
    }
    this.sendTo(ws, state, JSON.stringify(hello));
    for (const d of replay) this.sendTo(ws, state, d);
  }

  private sendTo(ws: WebSocket, state: ClientState, data: string): void {
    try {
      if (ws.readyState !== WebSocket.OPEN) return;
      // Both bounds: bytes waiting in user space, and messages not yet flushed (many tiny ones cost
      // per-write overhead the byte count hides).
      if (state.pending >= this.opts.maxQueuedMessages || ws.bufferedAmount + data.length > this.opts.maxBufferedBytes) {
        this.drop(ws, state);
        return;
      }
      state.pending++;
      ws.send(data, () => {
        state.pending--;
      });
    } catch (err) {
      this.log.debug({ remote: state.remote, err }, 'live send failed');
      this.clients.delete(ws);
      ws.terminate();
    }
  }

  private drop(ws: WebSocket, state: ClientState): void {
    this.clients.delete(ws);
    this.log.info({ remote: state.remote, pending: state.pending, bufferedBytes: ws.bufferedAmount }, 'live client too slow: dropped');
    this.onDrop('slow-client');
    // 1013 "try again later": the close frame queues behind the unread data; a client that never
    // reads it loses its socket after the grace, so the queue is freed either way.
    void this.closeWithGrace(ws, 1013, 'too slow: send queue full');
  }

  private heartbeat(): void {
    for (const [ws, state] of this.clients) {
      try {
        if (!state.alive) {
          this.clients.delete(ws);
          this.onDrop('no-pong');
          ws.terminate();
          continue;
        }
        state.alive = false;
        ws.ping();
      } catch (err) {
        this.log.debug({ remote: state.remote, err }, 'live ping failed');
      }
    }
  }

  private closeWithGrace(ws: WebSocket, code: number, reason: string): Promise<void> {
    return new Promise((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, this.opts.closeGraceMs);
      timer.unref();
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      try {
        ws.close(code, reason);
      } catch {
        ws.terminate();
      }
    });
  }
}

/** Answer an upgrade request with a plain HTTP status and close. */
function refuse(socket: Duplex, status: string, extraHeaders = ''): void {
  if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n${extraHeaders}Content-Length: 0\r\n\r\n`);
  else socket.destroy();
}
