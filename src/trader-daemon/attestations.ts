/** trader-daemon/attestations.ts - delivers the attestations open contracts wait on: the node's /events WebSocket (attestation:accepted, resumed after drops with since/epoch, failing over node by node) plus a slow poll of GET /announcements/{id} that also covers missed events and a daemon that was down. Imports ws, protocol and trader types. */
import WebSocket from 'ws';
import type { Logger } from 'pino';
import type { Attestation } from '../protocol/types.ts';
import type { MegaPort } from '../trader/types.ts';

/** Largest live-feed message read (an attestation:accepted event is a few hundred bytes). */
const MAX_EVENT_BYTES = 64 * 1024;
/** Reconnect delays. */
const RECONNECT_MIN_MS = 1000;
const RECONNECT_MAX_MS = 30_000;

export interface AttestationWatcherDeps {
  /** Announcement ids some open contract waits on. */
  watching(): string[];
  mega: Pick<MegaPort, 'getAnnouncement'>;
  /** Hand one attestation to the engine; a throw means "try again at the next poll". */
  deliver(attestation: Attestation): Promise<void>;
  log: Logger;
}

/** The live subscription and the poll. */
export class AttestationWatcher {
  private ws: WebSocket | null = null;
  private nodeIndex = 0;
  private epoch: string | null = null;
  private lastSeq: number | null = null;
  private delayMs = RECONNECT_MIN_MS;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private stopped = true;
  /** Announcement ids whose attestation the engine took. */
  private readonly delivered = new Set<string>();
  private readonly inFlight = new Set<string>();
  /** Whether the live feed is connected (for status). */
  connected = false;

  constructor(
    private readonly nodes: readonly string[],
    private readonly pollMs: number,
    private readonly deps: AttestationWatcherDeps,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
    this.pollTimer = setInterval(() => void this.poll(), this.pollMs);
    this.pollTimer.unref();
    void this.poll();
  }

  stop(): void {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.pollTimer = this.reconnectTimer = null;
    const ws = this.ws;
    this.ws = null;
    ws?.terminate();
    this.connected = false;
  }

  /** Check every watched announcement now (also after a resume that missed events). */
  async poll(): Promise<void> {
    const ids = this.deps.watching();
    const live = new Set(ids);
    for (const id of this.delivered) if (!live.has(id)) this.delivered.delete(id); // bounded by the open contracts
    for (const id of ids) {
      if (this.stopped) return;
      await this.check(id);
    }
  }

  private async check(announcementId: string): Promise<void> {
    if (this.delivered.has(announcementId) || this.inFlight.has(announcementId)) return;
    this.inFlight.add(announcementId);
    try {
      const a = await this.deps.mega.getAnnouncement(announcementId);
      if (!a?.attestation) return;
      await this.deps.deliver(a.attestation);
      this.delivered.add(announcementId);
      this.deps.log.info({ announcementId }, 'attestation delivered to the engine');
    } catch (e) {
      this.deps.log.warn({ announcementId, err: (e as Error).message }, 'attestation check failed; retried at the next poll');
    } finally {
      this.inFlight.delete(announcementId);
    }
  }

  private connect(): void {
    if (this.stopped) return;
    const node = this.nodes[this.nodeIndex % this.nodes.length] as string;
    const url = new URL('events', `${node}/`);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('events', 'attestation:accepted');
    if (this.epoch !== null && this.lastSeq !== null) {
      url.searchParams.set('since', String(this.lastSeq));
      url.searchParams.set('epoch', this.epoch);
    }
    let socket: WebSocket;
    try {
      socket = new WebSocket(url, { maxPayload: MAX_EVENT_BYTES, handshakeTimeout: 10_000 });
    } catch (e) {
      this.deps.log.warn({ node, err: (e as Error).message }, 'live feed: cannot connect');
      return this.scheduleReconnect(true);
    }
    this.ws = socket;
    socket.on('message', (raw) => {
      try {
        this.onMessage(String(raw));
      } catch (e) {
        this.deps.log.warn({ err: (e as Error).message }, 'live feed: bad message');
      }
    });
    socket.on('error', (e) => this.deps.log.debug({ node, err: e.message }, 'live feed error'));
    socket.on('close', () => {
      if (this.ws !== socket) return;
      this.ws = null;
      const wasConnected = this.connected;
      this.connected = false;
      this.scheduleReconnect(!wasConnected);
    });
  }

  private scheduleReconnect(failed: boolean): void {
    if (this.stopped) return;
    if (failed) {
      // This node did not take the connection: the next one (its seq numbers are of another epoch).
      this.nodeIndex += 1;
      this.delayMs = Math.min(this.delayMs * 2, RECONNECT_MAX_MS);
    }
    this.reconnectTimer = setTimeout(() => this.connect(), this.delayMs);
    this.reconnectTimer.unref();
  }

  private onMessage(text: string): void {
    const e = JSON.parse(text) as { event?: unknown; seq?: unknown; epoch?: unknown; announcementId?: unknown; resume?: { complete?: unknown } };
    if (e.event === 'hello') {
      this.connected = true;
      this.delayMs = RECONNECT_MIN_MS;
      const epoch = typeof e.epoch === 'string' ? e.epoch : null;
      const resumed = this.epoch !== null && epoch === this.epoch && e.resume?.complete === true;
      if (epoch !== this.epoch) this.lastSeq = typeof e.seq === 'number' ? e.seq : 0;
      this.epoch = epoch;
      this.deps.log.info({ node: this.nodes[this.nodeIndex % this.nodes.length], resumed }, 'live feed connected');
      if (!resumed) void this.poll(); // events may have been missed: ask for each watched announcement
      return;
    }
    if (typeof e.seq === 'number') this.lastSeq = e.seq;
    if (e.event !== 'attestation:accepted' || typeof e.announcementId !== 'string') return;
    if (this.deps.watching().includes(e.announcementId)) void this.check(e.announcementId);
  }
}
