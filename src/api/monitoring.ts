/** api/monitoring.ts - the node's monitoring surface in one object: tallies (GET /stats), 24 h history (GET /stats/history), recent rejections (GET /stats/rejections), the page's oracle list (GET /monitor/oracles), Prometheus metrics (GET /metrics), the live feed (/events), GET /peers. Fed by service events; sees peers only through PeerInfoSource. Imports api, service and identity types. */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '../log.ts';
import type { AcceptedEvent, DlcProof, EvictedEvent, MegaService } from '../service/service.ts';
import type { Announcement, Attestation, Offer } from '../protocol/types.ts';
import type { AdmissionResult } from '../service/types.ts';
import { EVENTS_PATH } from './constants.ts';
import { sendError } from './errors.ts';
import { sendJson } from './respond.ts';
import { LiveEvents, type LiveEvent, type LiveEventsOptions } from './live-events.ts';
import { NodeMetrics } from './metrics.ts';
import { coverageToJson, peerToJson, type PeerEventName, type PeerInfoSource, type PeerSummary } from './peers.ts';
import { AdmissionStats, type LimitInfo } from './stats.ts';
import { StatsHistory, type ResourceSample } from './history.ts';
import { RecentRejections } from './rejections.ts';
import { emptyPrefix, oraclePage, type RankPrefix } from './oracle-page.ts';
import type { StoredOracle } from '../service/service.ts';
import type { OracleStanding } from '../identity/standing.ts';
import { HISTORY_SAMPLE_INTERVAL_MS, HISTORY_SAVE_INTERVAL_MS, ORACLE_PREFIX_TTL_MS } from './constants.ts';
import type { ValidatedInput } from './validate.ts';

/** Tunables (tests shrink the live-feed limits). */
export interface MonitoringOptions {
  live?: Partial<LiveEventsOptions>;
  /** The data folder: the 24 h history is kept there (api/history.ts) and its size is charted; null or absent = in memory only. */
  dataDir?: string | null;
  /** Configured limits as the config names them, with their units (shown on the page as is). */
  limits?: LimitInfo[];
}

/** Injected collaborators. */
export interface MonitoringDeps {
  service: MegaService;
  /** The P2P pool's view of its peers; `NO_PEERS` until P2P is wired. */
  peers: PeerInfoSource;
  log: Logger;
  now: () => number;
  /** Standing of oracles for the page's list (identity/standing.ts); without it each row counts its own stored reports. */
  standing?: OracleStanding;
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
  readonly history: StatsHistory;
  readonly rejections: RecentRejections;
  private readonly deps: MonitoringDeps;
  private readonly opts: MonitoringOptions;
  private readonly unsubscribe: () => void;
  private historyTimer: NodeJS.Timeout | null = null;
  private lastSample: ResourceSample | null = null;
  /**
   * The ranked oracle listing walked so far by GET /monitor/oracles: emptied on every change that can
   * move an oracle or its standing, and at the latest ORACLE_PREFIX_TTL_MS after it was started (a
   * verified Lightning bid re-ranks an oracle without an event).
   */
  private oraclePrefix: RankPrefix<StoredOracle> = emptyPrefix();
  private oraclePrefixAt = 0;

  constructor(opts: MonitoringOptions, deps: MonitoringDeps) {
    this.deps = deps;
    this.opts = opts;
    const log = deps.log;
    this.stats = new AdmissionStats(deps.now);
    this.rejections = new RecentRejections(deps.now);
    const dataDir = opts.dataDir ?? null;
    this.history = new StatsHistory(dataDir, { now: deps.now, log, sample: () => sampleResources(dataDir, deps.peers) });
    this.live = new LiveEvents(opts.live ?? {}, { log, now: deps.now, onDrop: (reason) => guard(log, () => this.metrics.recordLiveDrop(reason)) });
    this.metrics = new NodeMetrics({ counts: () => deps.service.counts(), peers: deps.peers, liveClients: () => this.live.clientCount });
    this.hooks = { handlers: this.createHandlers(), httpMetrics: this.metrics.httpMiddleware() };

    // Service listeners run inside admission and must never throw into it (MempoolEvents contract).
    const onAdmission = (r: AdmissionResult, source: string): void =>
      guard(log, () => {
        this.stats.recordAdmission(r);
        this.metrics.recordAdmission(r);
        this.history.record(r);
        this.rejections.record(r, source);
      });
    const onAccepted = (e: AcceptedEvent): void =>
      guard(log, () => {
        this.dropOraclePrefix();
        this.live.publish(() => acceptedEvent(e, this.time()));
        const dlc = dlcAcceptedEvent(e, this.time.bind(this));
        if (dlc) this.live.publish(dlc);
      });
    const onProof = (p: DlcProof): void =>
      guard(log, () => {
        this.dropOraclePrefix();
        this.live.publish(() => proofEvent(p, this.time()));
      });
    const onEvicted = (e: EvictedEvent): void =>
      guard(log, () => {
        this.dropOraclePrefix();
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

  /**
   * Read the stored history back and start sampling it (every 20 s) and saving it (every minute). Call once the data
   * folder is locked (node.ts: after the store opened) and before admissions start, so restored
   * minutes and new counts do not overlap. Never throws (a damaged file is set aside).
   */
  start(): void {
    if (this.historyTimer) return;
    const loaded = this.history.load();
    if (loaded.minutes > 0 || loaded.setAside) this.deps.log.info(loaded, 'monitoring history restored');
    this.lastSample = this.history.sample();
    let savedAt = this.deps.now();
    this.historyTimer = setInterval(
      () =>
        guard(this.deps.log, () => {
          this.lastSample = this.history.sample() ?? this.lastSample;
          const now = this.deps.now();
          if (now - savedAt >= HISTORY_SAVE_INTERVAL_MS || now < savedAt) {
            savedAt = now;
            this.history.save();
          }
        }),
      HISTORY_SAMPLE_INTERVAL_MS,
    );
    this.historyTimer.unref();
  }

  /** Close live clients, stop listening to the service, and write the history a last time. */
  async stop(): Promise<void> {
    this.unsubscribe();
    if (this.historyTimer) {
      clearInterval(this.historyTimer);
      this.historyTimer = null;
      guard(this.deps.log, () => {
        this.history.sample();
        this.history.save();
      });
    }
    await this.live.stop();
  }

  /** Forget the walked rank prefix (an entity or a standing changed). No allocation when there is none: this runs on every admission. */
  private dropOraclePrefix(): void {
    if (this.oraclePrefix.items.length > 0 || this.oraclePrefix.complete) this.oraclePrefix = emptyPrefix();
  }

  private time(): string {
    return new Date(this.deps.now()).toISOString();
  }

  /** Memory now; disk as of the last minute's sample (a folder listing and statfs per minute, not per poll). */
  private resources(): { rssBytes: number; heapUsedBytes: number; heapTotalBytes: number; diskUsedBytes: number | null; diskFreeBytes: number | null; historyPersisted: boolean } {
    const m = process.memoryUsage();
    return {
      rssBytes: m.rss,
      heapUsedBytes: m.heapUsed,
      heapTotalBytes: m.heapTotal,
      diskUsedBytes: this.lastSample?.diskUsedBytes ?? null,
      diskFreeBytes: this.lastSample?.diskFreeBytes ?? null,
      historyPersisted: this.history.persisted,
    };
  }

  private createHandlers(): MonitoringHooks['handlers'] {
    const { peers } = this.deps;
    return {
      getPeers: (_req, res) => {
        sendJson(res, peers.list().map(peerToJson));
      },
      getStats: (_req, res) => {
        sendJson(res, {
          ...this.stats.snapshot(),
          peers: peers.list().length,
          ...(peers.coverage ? { shards: coverageToJson(peers.coverage()) } : {}),
          liveClients: this.live.clientCount,
          limits: this.opts.limits ?? [],
          resources: this.resources(),
        });
      },
      getStatsHistory: (_req, res) => {
        const q = (res.locals.input as ValidatedInput).query;
        // A minute not sampled yet (a fresh node, or a node without start()) is sampled now, at most once.
        if (!this.history.sampledThisMinute()) this.lastSample = this.history.sample() ?? this.lastSample;
        sendJson(res, this.history.view(q.minutes as number | undefined));
      },
      getStatsRejections: (_req, res) => {
        sendJson(res, this.rejections.view());
      },
      getMonitorOracles: (_req, res) => {
        const q = (res.locals.input as ValidatedInput).query;
        const page = { page: q.page as number, chunkSize: q.chunkSize as number };
        const filter = { question: q.question as string | undefined, tag: q.tag as string | undefined };
        const now = this.deps.now();
        if (now - this.oraclePrefixAt > ORACLE_PREFIX_TTL_MS || now < this.oraclePrefixAt) {
          this.oraclePrefix = emptyPrefix();
          this.oraclePrefixAt = now;
        }
        sendJson(res, oraclePage(this.deps.service, this.deps.standing, page, filter, this.oraclePrefix));
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

/** The kind-specific event of an accepted announcement, attestation or offer (alongside mempool:accepted); null for other kinds. */
function dlcAcceptedEvent(e: AcceptedEvent, time: () => string): (() => LiveEvent) | null {
  if (e.kind === 'announcement') {
    const a = e.entity as Announcement;
    return () => ({ event: 'announcement:accepted', time: time(), id: e.id, oraclePubKey: e.oraclePubKey, capabilityPubKey: a.capabilityPubKey, replaced: e.replaced });
  }
  if (e.kind === 'attestation') {
    const t = e.entity as Attestation;
    return () => ({ event: 'attestation:accepted', time: time(), id: e.id, announcementId: t.announcementId, oraclePubKey: e.oraclePubKey });
  }
  if (e.kind === 'offer') {
    const o = e.entity as Offer;
    return () => ({ event: 'offer:accepted', time: time(), id: e.id, announcementId: o.content.announcementId, oraclePubKey: e.oraclePubKey, makerPubKey: o.makerPubKey, status: o.status, replaced: e.replaced });
  }
  return null;
}

/** The feed's form of a proven DLC fault: who, which announcements, which nonce (the messages are on GET /announcements/{id}). */
function proofEvent(p: DlcProof, time: string): LiveEvent {
  const announcementIds = p.type === 'dlc-equivocation' ? [p.announcementId] : [...p.announcementIds];
  return { event: 'report:proof', time, type: p.type, oracleKey: p.oracleKey, oraclePubKey: p.oraclePubKey, announcementIds, nonce: p.evidence.nonce };
}

/** Peers, P2P byte totals, memory, and the data folder's size and free space (files directly in it: the store keeps no subfolders). */
export function sampleResources(dataDir: string | null, peers: PeerInfoSource): ResourceSample {
  const m = process.memoryUsage();
  const t = peers.totals();
  let diskUsedBytes: number | null = null;
  let diskFreeBytes: number | null = null;
  if (dataDir !== null) {
    try {
      let used = 0;
      for (const e of fs.readdirSync(dataDir, { withFileTypes: true })) {
        if (!e.isFile()) continue;
        try {
          used += fs.statSync(path.join(dataDir, e.name)).size;
        } catch {
          // removed between the listing and the stat (a compaction's temp file)
        }
      }
      diskUsedBytes = used;
      const st = fs.statfsSync(dataDir);
      diskFreeBytes = st.bavail * st.bsize;
    } catch {
      // the folder is not there (yet); the figures stay null
    }
  }
  return { peers: peers.list().length, bytesIn: t.bytesIn, bytesOut: t.bytesOut, rssBytes: m.rss, heapUsedBytes: m.heapUsed, diskUsedBytes, diskFreeBytes };
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
