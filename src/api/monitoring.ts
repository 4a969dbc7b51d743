/** api/monitoring.ts - the node's monitoring surface in one object: tallies (GET /stats), Prometheus metrics (GET /metrics), the live feed (/events), GET /peers. Fed by service events; sees peers only through PeerInfoSource. Imports api and service types. */
import type http from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '../log.ts';
import type { AcceptedEvent, DlcProof, EvictedEvent, MegaService } from '../service/service.ts';
import type { Announcement, Attestation } from '../protocol/types.ts';
import type { AdmissionResult } from '../service/types.ts';
import { EVENTS_PATH } from './constants.ts';
import { sendError } from './errors.ts';
import { sendJson } from './respond.ts';
import { LiveEvents, type LiveEvent, type LiveEventsOptions } from './live-events.ts';
import { NodeMetrics } from './metrics.ts';
import { peerToJson, type PeerEventName, type PeerInfoSource, type PeerSummary } from './peers.ts';
import { AdmissionStats } from './stats.ts';

/** Tunables (tests shrink the live-feed limits). */
export interface MonitoringOptions {
  live?: Partial<LiveEventsOptions>;
}

/** Injected collaborators. */
export interface MonitoringDeps {
  service: MegaService;
  /** The P2P pool's view of its peers; `NO_PEERS` until P2P is wired. */
  peers: PeerInfoSource;
  log: Logger;
  now: () => number;
}

/** What the Express app takes from monitoring (see createApiApp). */
export interface MonitoringHooks {
  /** Handlers of the spec operations marked `x-monitoring`. */
  handlers: Record<string, (req: Request, res: Response) => void | Promise<void>>;
  /** Request timing; the app installs it before anything else. */
  httpMetrics: RequestHandler;
}

/**
 * Lifecycle: construct with the service (it subscribes at once, so nothing admitted before the
 * HTTP server exists is missed), hand `hooks` to the app, `attach(server)` once the server exists,
 * `stop()` before the server closes (it closes live clients, which would otherwise hold it open).
 */
export class Monitoring {
  readonly stats: AdmissionStats;
  readonly metrics: NodeMetrics;
  readonly live: LiveEvents;
  readonly hooks: MonitoringHooks;
  private readonly deps: MonitoringDeps;
  private readonly unsubscribe: () => void;

  constructor(opts: MonitoringOptions, deps: MonitoringDeps) {
    this.deps = deps;
    const log = deps.log;
    this.stats = new AdmissionStats(deps.now);
    this.live = new LiveEvents(opts.live ?? {}, { log, now: deps.now, onDrop: (reason) => guard(log, () => this.metrics.recordLiveDrop(reason)) });
    this.metrics = new NodeMetrics({ counts: () => deps.service.counts(), peers: deps.peers, liveClients: () => this.live.clientCount });
    this.hooks = { handlers: this.createHandlers(), httpMetrics: this.metrics.httpMiddleware() };

    // Service listeners run inside admission and must never throw into it (MempoolEvents contract).
    const onAdmission = (r: AdmissionResult): void =>
      guard(log, () => {
        this.stats.recordAdmission(r);
        this.metrics.recordAdmission(r);
      });
    const onAccepted = (e: AcceptedEvent): void =>
      guard(log, () => {
        this.live.publish(() => acceptedEvent(e, this.time()));
        const dlc = dlcAcceptedEvent(e, this.time.bind(this));
        if (dlc) this.live.publish(dlc);
      });
    const onProof = (p: DlcProof): void => guard(log, () => this.live.publish(() => proofEvent(p, this.time())));
    const onEvicted = (e: EvictedEvent): void =>
      guard(log, () => {
        this.stats.recordEviction(e);
        this.metrics.recordEviction(e);
        this.live.publish(() => ({ event: 'mempool:evicted', time: this.time(), type: e.kind, id: e.id, oraclePubKey: e.oraclePubKey, cause: e.cause }));
      });
    deps.service.on('admission', onAdmission);
    deps.service.on('mempool:accepted', onAccepted);
    deps.service.on('mempool:evicted', onEvicted);
    deps.service.on('report:proof', onProof);
    this.unsubscribe = () => {
      deps.service.off('report:proof', onProof);
      deps.service.off('admission', onAdmission);
      deps.service.off('mempool:accepted', onAccepted);
      deps.service.off('mempool:evicted', onEvicted);
    };
  }

  /** Tell the live feed and the metrics that a peer connected or left (called by node.ts from the P2P pool's events). Never throws. */
  publishPeer(event: PeerEventName, peer: PeerSummary): void {
    guard(this.deps.log, () => {
      this.metrics.recordPeerEvent(event);
      this.live.publish(() => ({ event, time: this.time(), peer: peerToJson(peer) }));
    });
  }

  /** Serve the live feed on `server` (WebSocket upgrades at /events). */
  attach(server: http.Server): void {
    this.live.attach(server);
  }

  /** Close live clients and stop listening to the service. */
  async stop(): Promise<void> {
    this.unsubscribe();
    await this.live.stop();
  }

  private time(): string {
    return new Date(this.deps.now()).toISOString();
  }

  private createHandlers(): MonitoringHooks['handlers'] {
    const { peers } = this.deps;
    return {
      getPeers: (_req, res) => {
        sendJson(res, peers.list().map(peerToJson));
      },
      getStats: (_req, res) => {
        sendJson(res, { ...this.stats.snapshot(), peers: peers.list().length, liveClients: this.live.clientCount });
      },
      getMetrics: async (_req, res) => {
        const text = await this.metrics.render();
        res.set('Content-Type', this.metrics.contentType).set('Cache-Control', 'no-store').send(text);
      },
      getEvents: (_req, res) => {
        // Reached only without an Upgrade header: the WebSocket handshake never gets to Express.
        res.set('Upgrade', 'websocket');
        sendError(res, 426, 'upgrade-required', `${EVENTS_PATH} is a WebSocket feed: connect with ws://<host>${EVENTS_PATH}`);
      },
    };
  }
}

/** The feed's form of an accepted item: type, id and the few texts the page shows (never the whole message). */
function acceptedEvent(e: AcceptedEvent, time: string): LiveEvent {
  const out: Extract<LiveEvent, { event: 'mempool:accepted' }> = { event: 'mempool:accepted', time, type: e.kind, id: e.id, oraclePubKey: e.oraclePubKey, replaced: e.replaced };
  const entity = e.entity as { question?: unknown; tags?: unknown; content?: { type?: unknown } };
  if (e.kind === 'capability' && typeof entity.question === 'string') out.question = entity.question;
  if ((e.kind === 'oracle' || e.kind === 'capability') && Array.isArray(entity.tags)) out.tags = entity.tags.filter((t): t is string => typeof t === 'string');
  if (e.kind === 'report' && typeof entity.content?.type === 'string') out.reportType = entity.content.type;
  return out;
}

/** The DLC-specific event of an accepted announcement or attestation (alongside mempool:accepted); null for other kinds. */
function dlcAcceptedEvent(e: AcceptedEvent, time: () => string): (() => LiveEvent) | null {
  if (e.kind === 'announcement') {
    const a = e.entity as Announcement;
    return () => ({ event: 'announcement:accepted', time: time(), id: e.id, oraclePubKey: e.oraclePubKey, capabilityPubKey: a.capabilityPubKey, replaced: e.replaced });
  }
  if (e.kind === 'attestation') {
    const t = e.entity as Attestation;
    return () => ({ event: 'attestation:accepted', time: time(), id: e.id, announcementId: t.announcementId, oraclePubKey: e.oraclePubKey });
  }
  return null;
}

/** The feed's form of a proven DLC fault: who, which announcements, which nonce (the messages are on GET /announcements/{id}). */
function proofEvent(p: DlcProof, time: string): LiveEvent {
  const announcementIds = p.type === 'dlc-equivocation' ? [p.announcementId] : [...p.announcementIds];
  return { event: 'report:proof', time, type: p.type, oracleKey: p.oracleKey, oraclePubKey: p.oraclePubKey, announcementIds, nonce: p.evidence.nonce };
}

function guard(log: Logger, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    try {
      log.error({ err }, 'monitoring listener failed');
    } catch {
      // nothing left to tell
    }
  }
}
