/** api/metrics.ts - Prometheus metrics (prom-client) on a per-node Registry: entities, admissions, rejections by reason, evictions, peers, P2P bytes, HTTP latency, event-loop lag. Imports service types and api. */
import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EvictedEvent } from '../service/service.ts';
import type { AdmissionResult } from '../service/types.ts';
import { DOCS_PATH, HTTP_LATENCY_BUCKETS_S } from './constants.ts';
import type { LiveDropReason } from './live-events.ts';
import type { PeerEventName, PeerInfoSource } from './peers.ts';

/** What the metrics read when scraped. Every function must be cheap and must not throw. */
export interface MetricsDeps {
  counts: () => { oracles: number; capabilities: number; reports: number; disputes: number };
  peers: PeerInfoSource;
  liveClients: () => number;
}

const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * One node's metrics. A Registry of its own (not prom-client's global one), so several nodes in
 * one process (tests) never collide. Node's own process metrics, including
 * `nodejs_eventloop_lag_seconds` and its p50/p90/p99, come from prom-client's default collectors.
 */
export class NodeMetrics {
  readonly registry = new Registry();
  private readonly admissions: Counter<'type' | 'result'>;
  private readonly rejections: Counter<'type' | 'reason'>;
  private readonly evictions: Counter<'type' | 'cause'>;
  private readonly peerEvents: Counter<'event'>;
  private readonly liveDrops: Counter<'reason'>;
  private readonly p2pBytes: Counter<'direction'>;
  private readonly httpLatency: Histogram<'method' | 'route' | 'status'>;
  // Last seen P2P byte totals: the counter grows by the difference on each scrape.
  private lastBytes = { bytesIn: 0, bytesOut: 0 };
  /**
   * Admission outcomes since the last scrape, by type then result (admissions) or reason
   * (rejections), added to the counters when they are read. An admission costs two map lookups
   * instead of prom-client's label validation and label-hash string per `inc` (2–3 % of the
   * main thread's time per ingested entity, issue #21). Maps keep first-seen order, so series
   * appear in the exposition in the order they did when counted at once.
   */
  private readonly pendingAdmissions = new Map<string, Map<string, number>>();
  private readonly pendingRejections = new Map<string, Map<string, number>>();

  constructor(deps: MetricsDeps) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'mega_entities',
      help: 'Entries stored in the mempool, by type.',
      labelNames: ['type'] as const,
      registers,
      collect() {
        const c = deps.counts();
        this.set({ type: 'oracle' }, c.oracles);
        this.set({ type: 'capability' }, c.capabilities);
        this.set({ type: 'report' }, c.reports);
        this.set({ type: 'dispute' }, c.disputes);
      },
    });
    this.admissions = new Counter({
      name: 'mega_admissions_total',
      help: 'Submissions (REST and P2P) by type and outcome: accepted, duplicate, out-of-shard, rejected.',
      labelNames: ['type', 'result'] as const,
      registers,
      collect: () => flushPending(this.pendingAdmissions, this.admissions, 'result'),
    });
    this.rejections = new Counter({
      name: 'mega_rejected_total',
      help: 'Rejected submissions by type and reason (the machine-readable code REST answers with).',
      labelNames: ['type', 'reason'] as const,
      registers,
      collect: () => flushPending(this.pendingRejections, this.rejections, 'reason'),
    });
    this.evictions = new Counter({
      name: 'mega_evictions_total',
      help: 'Entries that left the mempool, by type and cause (rank: pushed out by a better newcomer; oracle-evicted: their oracle left).',
      labelNames: ['type', 'cause'] as const,
      registers,
    });
    new Gauge({
      name: 'mega_peers',
      help: 'Connected P2P peers by direction.',
      labelNames: ['direction'] as const,
      registers,
      collect() {
        let inbound = 0;
        let outbound = 0;
        for (const p of deps.peers.list()) {
          if (p.direction === 'inbound') inbound++;
          else outbound++;
        }
        this.set({ direction: 'inbound' }, inbound);
        this.set({ direction: 'outbound' }, outbound);
      },
    });
    this.peerEvents = new Counter({ name: 'mega_peer_events_total', help: 'P2P peer connects, disconnects and push-tree edge changes (relay eager/lazy).', labelNames: ['event'] as const, registers });
    this.p2pBytes = new Counter({
      name: 'mega_p2p_bytes_total',
      help: 'Bytes received (in) and sent (out) over P2P.',
      labelNames: ['direction'] as const,
      registers,
      collect: () => this.syncBytes(deps.peers.totals()),
    });
    new Gauge({
      name: 'mega_live_clients',
      help: 'Clients of the /events live feed.',
      registers,
      collect() {
        this.set(deps.liveClients());
      },
    });
    this.liveDrops = new Counter({
      name: 'mega_live_dropped_total',
      help: 'Live-feed clients dropped: slow-client (send queue full), max-clients (refused at connect), no-pong (dead connection).',
      labelNames: ['reason'] as const,
      registers,
    });
    this.httpLatency = new Histogram({
      name: 'mega_http_request_duration_seconds',
      help: 'HTTP request latency by method, route (the spec path, /docs, static or unmatched) and status.',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: HTTP_LATENCY_BUCKETS_S,
      registers,
    });
    for (const d of ['in', 'out']) this.p2pBytes.inc({ direction: d }, 0);
  }

  /** Content-Type of {@link render}'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** Count one admission outcome. */
  recordAdmission(r: AdmissionResult): void {
    countPending(this.pendingAdmissions, r.kind, r.status);
    if (r.status === 'rejected') countPending(this.pendingRejections, r.kind, r.reason);
  }

  /** Count one eviction. */
  recordEviction(e: EvictedEvent): void {
    this.evictions.inc({ type: e.kind, cause: e.cause });
  }

  /** Count a peer connect, disconnect or edge change (label `connect`, `disconnect`, `relay`). */
  recordPeerEvent(name: PeerEventName): void {
    this.peerEvents.inc({ event: name === 'peer:connect' ? 'connect' : name === 'peer:relay' ? 'relay' : 'disconnect' });
  }

  /** Count a dropped live client. */
  recordLiveDrop(reason: LiveDropReason): void {
    this.liveDrops.inc({ reason });
  }

  /** Express middleware timing every request; install it first. Routes are labelled by pattern, never by raw URL (bounded cardinality). */
  httpMiddleware(): RequestHandler {
    return (req, res, next) => {
      const start = process.hrtime.bigint();
      res.once('finish', () => {
        try {
          const seconds = Number(process.hrtime.bigint() - start) / 1e9;
          const routePath = (req.route as { path?: unknown } | undefined)?.path;
          const route =
            typeof routePath === 'string'
              ? routePath
              : req.originalUrl === DOCS_PATH || req.originalUrl.startsWith(DOCS_PATH + '/') || req.originalUrl.startsWith(DOCS_PATH + '?')
                ? DOCS_PATH
                : res.statusCode === 404
                  ? 'unmatched'
                  : 'static';
          this.httpLatency.observe({ method: HTTP_METHODS.has(req.method) ? req.method : 'other', route, status: String(res.statusCode) }, seconds);
        } catch {
          // metrics must never break a response
        }
      });
      next();
    };
  }

  // A source whose totals went down was restarted: count from its new totals.
  private syncBytes(t: { bytesIn: number; bytesOut: number }): void {
    const dIn = t.bytesIn >= this.lastBytes.bytesIn ? t.bytesIn - this.lastBytes.bytesIn : t.bytesIn;
    const dOut = t.bytesOut >= this.lastBytes.bytesOut ? t.bytesOut - this.lastBytes.bytesOut : t.bytesOut;
    if (dIn > 0) this.p2pBytes.inc({ direction: 'in' }, dIn);
    if (dOut > 0) this.p2pBytes.inc({ direction: 'out' }, dOut);
    this.lastBytes = { bytesIn: t.bytesIn, bytesOut: t.bytesOut };
  }
}

/** Count one (type, second label) in `pending` (see NodeMetrics.pendingAdmissions). */
function countPending(pending: Map<string, Map<string, number>>, type: string, second: string): void {
  let byType = pending.get(type);
  if (!byType) pending.set(type, (byType = new Map()));
  byType.set(second, (byType.get(second) ?? 0) + 1);
}

/** Add what `pending` counted to `counter` (when it is read) and start counting from 0 again. */
function flushPending<L extends string>(pending: Map<string, Map<string, number>>, counter: Counter<'type' | L>, label: L): void {
  for (const [type, byType] of pending) {
    for (const [second, n] of byType) {
      if (n === 0) continue;
      counter.inc({ type, [label]: second } as Partial<Record<'type' | L, string>>, n);
      byType.set(second, 0);
    }
  }
}
