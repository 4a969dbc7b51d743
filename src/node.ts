/** node.ts - composition root: builds every module from its config slice, wires events, starts and stops them in order. The only module that knows them all. */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Express } from 'express';
import type { MegaConfig } from './config/schema.ts';
import type { Logger } from './log.ts';
import { SchemaRegistry } from './protocol/schema.ts';
import { SECP256K1_BACKEND } from './protocol/keys.ts';
import { VerifyPool } from './protocol/verify-pool.ts';
import { Mempool } from './mempool/mempool.ts';
import { MegaService } from './service/service.ts';
import { OracleStanding } from './identity/standing.ts';
import { BidVerifier } from './identity/bids.ts';
import { PlacementSeller } from './identity/placement.ts';
import { LndClient } from './lightning/lnd.ts';
import { FactService } from './facts/fact-service.ts';
import { ManifestChecker } from './identity/manifest.ts';
import { FacilitatorIdentity } from './identity/facilitator.ts';
import {
  BID_CACHE_TTL_MS,
  BID_MAX_QUEUED,
  BID_RECHECK_INTERVAL_MS,
  BID_RETRY_TTL_MS,
  LND_MAX_CONCURRENT,
  LND_TIMEOUT_MS,
  MANIFEST_MAX_BYTES,
  MANIFEST_MAX_CONCURRENT,
  MANIFEST_MAX_QUEUED,
  MANIFEST_TIMEOUT_MS,
} from './identity/constants.ts';
import { createApiApp, setTrustProxy } from './api/app.ts';
import { Listener, readTls } from './api/listeners.ts';
import { RateLimiter } from './api/rate-limit.ts';
import type { AdminGateOptions } from './api/admin.ts';
import { ensureDataDir, dataDirOf } from './daemon/data-dir.ts';
import { applyConfig, createAdminOps, removeCookie, writeCookie } from './node-admin.ts';
import { Monitoring } from './api/monitoring.ts';
import { configLimits } from './api/stats.ts';
import { NETWORK_MAGIC } from './wire/constants.ts';
import { MessageCodec } from './wire/messages.ts';
import { Pool, type PoolPeerSummary } from './p2p/pool.ts';
import { queryNetworkReports } from './p2p/network-query.ts';
import { MempoolStore } from './persist/store.ts';

/** Package version, read once. */
export const VERSION: string = (JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Injected collaborators (tests pass a fake clock and a prefixed logger). */
export interface NodeDeps {
  log: Logger;
  now?: () => number;
  /** Re-reads the config (file, environment, flags) for SIGHUP and POST /admin/reload; throws ConfigError. Without it reload answers that there is no config source. */
  loadConfig?: () => MegaConfig;
}

/** One Mega node. Lifecycle: start() once, stop() once; stop() is safe to call after a failed start(). */
export class MegaNode {
  private cfg: MegaConfig;
  readonly log: Logger;
  readonly mempool: Mempool;
  readonly service: MegaService;
  readonly schemas: SchemaRegistry;
  private sweepTimer: NodeJS.Timeout | null = null;
  /** Threads checking signatures ahead of admission (config verifyThreads), or null for inline checks. */
  private readonly verifier: VerifyPool | null;
  /** P2P connections, relay and sync. */
  readonly pool: Pool;
  /** Stats, metrics, the live feed and GET /peers; the P2P pool publishes peer events through it. */
  readonly monitoring: Monitoring;
  /** Rotation links, verified conflicts and reputation. */
  readonly standing: OracleStanding;
  /** Lightning bid verification; null when lnRestHost is not configured (bids count 0). */
  readonly bids: BidVerifier | null;
  private readonly lnd: LndClient | null;
  /** Placement sold through this node's LND (POST /placement/invoice); null without lnRestHost. */
  readonly placement: PlacementSeller | null;
  /** Website manifests of oracle ads, checked in the background. */
  readonly manifests: ManifestChecker;
  /** Fact requests through this node, uploads, and the fact-conflict reports it builds itself. */
  readonly facts: FactService;
  /** This facilitator's identity (GET /id) and its own website manifest, checked in the background. */
  readonly facilitator: FacilitatorIdentity;
  /** @internal for node-admin.ts */
  readonly now: () => number;
  /** @internal for node-admin.ts */
  readonly loadConfig: (() => MegaConfig) | null;
  /** The public listeners (HTTP, then HTTPS when configured) and the admin listener. */
  private http: Listener | null = null;
  /** @internal for node-admin.ts (TLS reload) */
  https: Listener | null = null;
  private admin: Listener | null = null;
  /** @internal the Express apps (trustProxy reload). */
  readonly apps: Express[] = [];
  /** @internal the REST rate limiter shared by the public listeners (reloaded on SIGHUP). */
  readonly limiter: RateLimiter;
  /** Where the admin token lives and the token itself (null: admin API off). */
  private cookie: { path: string; token: string } | null = null;
  /** When start() ran (GET /status uptime). */
  private startedAt = 0;
  /** The data folder with `{p2pPort}` filled in, or null (memory only). */
  readonly dataDir: string | null;
  /** Journal + snapshot of the mempool; null when dataDir is null (in memory only). */
  readonly store: MempoolStore | null;

  constructor(config: MegaConfig, deps: NodeDeps) {
    this.cfg = config;
    this.loadConfig = deps.loadConfig ?? null;
    this.log = deps.log;
    this.now = deps.now ?? Date.now;
    this.schemas = SchemaRegistry.load();
    // One pool of signature-check threads for every admission, REST and P2P alike.
    this.verifier = config.verifyThreads > 0 ? new VerifyPool(config.verifyThreads) : null;
    this.mempool = new Mempool(
      {
        maxOracles: config.maxOracles,
        maxCapabilities: config.maxCapabilities,
        maxReports: config.maxReports,
        maxBytes: config.maxMempoolBytes,
        shard: config.shard,
        announcements: {
          maxAnnouncementsPerCapability: config.maxAnnouncementsPerCapability,
          maxAnnouncements: config.maxAnnouncements,
          maxAnnouncementBytes: config.maxAnnouncementBytes,
          announcementGraceMs: config.announcementGraceMs,
          attestedRetentionMs: config.attestedRetentionMs,
        },
        offers: { maxOffers: config.maxOffers, maxOfferBytes: config.maxOfferBytes, offersPerMaker: config.offersPerMaker },
      },
      { now: this.now },
    );
    this.service = new MegaService(
      {
        powThresholdOracles: config.powThresholdOracles,
        powThresholdCapabilities: config.powThresholdCapabilities,
        powThresholdReports: config.powThresholdReports,
        powThresholdAnnouncements: config.powThresholdAnnouncements,
        maxAnnouncementHorizonMs: config.maxAnnouncementHorizonMs,
        powThresholdOffers: config.powThresholdOffers,
        offerMaxLifetimeSeconds: config.offerMaxLifetimeSeconds,
      },
      { mempool: this.mempool, schemas: this.schemas, verifier: this.verifier, now: this.now, onBug: (err) => this.log.error({ err }, 'bug in admission; the item was dropped') },
    );
    this.standing = new OracleStanding(this.service);
    this.facts = new FactService(
      {
        isTest: config.isTest,
        allowPrivate: config.factEndpointsAllowPrivate,
        timeoutMs: config.factRequestTimeoutMs,
        maxResponseBytes: config.maxFactResponseBytes,
        maxInFlight: config.maxFactRequestsInFlight,
        cacheMaxEntries: config.factCacheMaxEntries,
        cacheMaxBytes: config.factCacheMaxBytes,
        defaultLifetimeMs: config.factLifetimeMs,
        ledgerMaxEntries: config.factLedgerMaxEntries,
        ledgerMaxBytes: config.factLedgerMaxBytes,
      },
      { service: this.service, log: this.log.child({ mod: 'facts' }) },
    );
    this.manifests = new ManifestChecker(
      { isTest: config.isTest, timeoutMs: MANIFEST_TIMEOUT_MS, maxBytes: MANIFEST_MAX_BYTES, maxConcurrent: MANIFEST_MAX_CONCURRENT, maxQueued: MANIFEST_MAX_QUEUED, recheckIntervalMs: config.manifestRecheckIntervalMs },
      { service: this.service, log: this.log.child({ mod: 'identity' }), now: this.now },
    );
    // The same fetch limits and verification as oracle manifests; the website being down never stops the node.
    this.facilitator = new FacilitatorIdentity(
      config.facilitatorId,
      { isTest: config.isTest, timeoutMs: MANIFEST_TIMEOUT_MS, maxBytes: MANIFEST_MAX_BYTES, recheckIntervalMs: config.manifestRecheckIntervalMs },
      { log: this.log.child({ mod: 'identity' }), now: this.now },
    );
    // Files are read here so a wrong path fails at start, not at the first bid.
    this.lnd = config.lnRestHost
      ? new LndClient({
          restHost: config.lnRestHost,
          macaroon: fs.readFileSync(config.lnMacaroonPath as string),
          tlsCert: fs.readFileSync(config.lnTlsCertPath as string),
          timeoutMs: LND_TIMEOUT_MS,
        })
      : null;
    const lnd = this.lnd;
    this.bids = lnd
      ? new BidVerifier(
          { maxConcurrent: LND_MAX_CONCURRENT, maxQueued: BID_MAX_QUEUED, cacheTtlMs: BID_CACHE_TTL_MS, errorTtlMs: BID_RETRY_TTL_MS, recheckIntervalMs: BID_RECHECK_INTERVAL_MS, bidLifetimeMs: config.bidLifetimeMs },
          {
            service: this.service,
            lookupInvoice: (hash, signal) => lnd.lookupInvoice(hash, signal),
            now: this.now,
            log: this.log.child({ mod: 'identity' }),
          },
        )
      : null;
    // At a full mempool a newcomer's bid is looked up before it is refused for rank (PROTOCOL 9.2).
    this.service.setBidGate(this.bids);
    const bids = this.bids;
    this.placement =
      lnd && bids
        ? new PlacementSeller(
            { minMsat: config.placementMinMsat, invoiceExpirySeconds: config.placementInvoiceExpirySeconds, bidLifetimeMs: config.bidLifetimeMs },
            { addInvoice: (init, signal) => lnd.addInvoice(init, signal), lookups: bids.lookups, now: this.now },
          )
        : null;
    this.pool = new Pool(
      {
        network: config.network,
        magic: NETWORK_MAGIC[config.network],
        listenAddress: config.listenAddress,
        p2pPort: config.p2pPort,
        hostname: config.hostname,
        hostSeqNo: config.hostSeqNo,
        httpPort: () => this.httpPort,
        maxConnections: config.maxConnections,
        maxInboundPerAddress: config.maxInboundPerAddress,
        limitLoopback: config.limitLoopback,
        targetOutbound: config.targetOutbound,
        seeds: config.p2pseed,
        keepAliveMs: config.p2pKeepAlive,
        handshakeTimeoutMs: config.handshakeTimeoutMs,
        maxPayloadBytes: config.maxMsgLength,
        maxMessagesPerSecond: config.p2pMaxMessagesPerSecond,
        banTimeMs: config.banTimeMs,
        whitelist: config.whitelist,
        getDataTimeoutMs: config.getDataTimeoutMs,
        antiEntropyIntervalMs: config.antiEntropyIntervalMs,
        shard: config.shard,
        userAgent: `/mega:${VERSION}/`,
      },
      { service: this.service, codec: new MessageCodec(this.schemas), log: this.log.child({ mod: 'p2p' }), now: this.now },
    );
    // Relay hangs on the service's item:relay (driven by mempool:accepted), never on the handler that received the item.
    this.service.on('item:relay', (item) => this.pool.relayItem(item));
    this.service.setNetworkReportSource((pubkey, depth) =>
      queryNetworkReports(pubkey, { peers: () => this.pool.list(), ownShard: config.shard, log: this.log.child({ mod: 'p2p' }) }, depth),
    );
    this.dataDir = dataDirOf(config);
    this.store =
      this.dataDir === null
        ? null
        : new MempoolStore(
            { dir: this.dataDir, fsyncIntervalMs: config.journalFsyncIntervalMs, compactBytes: config.journalCompactBytes },
            { log: this.log.child({ mod: 'persist' }) },
          );
    this.limiter = new RateLimiter({ perSecond: config.httpRateLimitPerSecond, burst: config.httpRateBurst, limitLoopback: config.limitLoopback }, this.now);
    this.wireLogging();
    this.monitoring = this.createMonitoring();
  }

  /** Port the P2P listener is bound to (after start). */
  get p2pPort(): number {
    return this.pool.port;
  }

  /** The config in force (replaced by reload). */
  get config(): MegaConfig {
    return this.cfg;
  }

  /** @internal node-admin.ts sets the reloaded config. */
  setConfig(c: MegaConfig): void {
    this.cfg = c;
  }

  /** Port the REST API listens on (after start). */
  get httpPort(): number {
    return this.http?.port ?? 0;
  }

  /** Port of the HTTPS listener (0 when there is none). */
  get httpsPort(): number {
    return this.https?.port ?? 0;
  }

  /** Port of the admin listener (0 when there is none). */
  get adminPort(): number {
    return this.admin?.port ?? 0;
  }

  /** Path of the admin cookie file (null: admin API off). */
  get cookiePath(): string | null {
    return this.cookie?.path ?? null;
  }

  /** Re-read the config and apply what can change while running (SIGHUP, POST /admin/reload); logs what it did. */
  reload(trigger: string): ReturnType<typeof applyConfig> {
    return applyConfig(this, trigger);
  }

  /** Start serving. Rejects if a port cannot be bound, the data folder cannot be used or the TLS files cannot be read. */
  async start(): Promise<void> {
    const c = this.cfg;
    const log = this.log;
    this.startedAt = this.now();
    log.info({ version: VERSION, network: c.network, secp256k1: SECP256K1_BACKEND, shard: c.shard }, 'starting Mega node');
    if (SECP256K1_BACKEND !== 'native') {
      log.warn('secp256k1 native addon not loaded: using the pure-JS fallback, signature checks are ~38x slower');
    }
    // Fail fast, before anything runs: a bad data folder or unreadable TLS files are config mistakes.
    if (this.dataDir) ensureDataDir(this.dataDir);
    const tls = c.httpsPort !== null ? readTls({ certPath: c.tlsCertPath as string, keyPath: c.tlsKeyPath as string }) : null;
    if (c.lnRestHost) log.info({ lnRestHost: c.lnRestHost, placementMinMsat: c.placementMinMsat, bidLifetimeMs: c.bidLifetimeMs }, 'Lightning bids are verified against LND; placement is for sale (POST /placement/invoice)');
    // Signature threads start now, not under the first entity (which would wait for their start-up).
    this.verifier?.start();
    this.bids?.start();
    this.manifests.start();
    this.facilitator.start();
    if (c.isTest) log.warn('isTest is on: /testOnlyGenKeyPair and /testOnlySign are exposed; never run a public node this way');
    // Restore before any door opens: nothing is admitted, relayed or served before the mempool is back.
    // Its `accepted` events (marked restored) feed standing, bids and manifests like any admission.
    if (this.store) this.store.open(this.mempool);
    // The data folder is locked and exists now: the 24 h monitoring history is read back from it.
    this.monitoring.start();
    // Expired DLC announcements and offers leave on the injected clock (mempool/announcements.ts, mempool/offers.ts); admissions sweep too.
    this.sweepTimer = setInterval(() => {
      try {
        this.service.sweepAnnouncements();
        this.service.sweepOffers();
      } catch (err) {
        log.error({ err }, 'announcement or offer sweep failed');
      }
    }, c.announcementSweepIntervalMs);
    this.sweepTimer.unref();
    if (!this.store) log.warn('dataDir is null: the mempool lives in memory only and is lost on restart');
    // The admin token: a fresh one each start, in a 0600 file (after the store locked the folder, so two nodes never share one).
    const cookiePath = c.adminCookiePath ?? (this.dataDir ? path.join(this.dataDir, '.cookie') : null);
    this.cookie = null;
    if (!cookiePath) log.warn('no admin cookie file (dataDir and adminCookiePath are null): the admin API is off');
    else {
      try {
        this.cookie = { path: cookiePath, token: writeCookie(cookiePath) };
      } catch (err) {
        // A full disk must not stop a start (the node serves what it restored): only the admin API stays off.
        log.error({ err, path: cookiePath }, 'cannot write the admin cookie file: the admin API is off until a restart');
      }
    }
    const gate: AdminGateOptions = { token: () => this.cookie?.token ?? null, allowFrom: () => this.cfg.adminAllowFrom };
    const admin = { gate, ops: createAdminOps(this) };
    const separateAdmin = c.adminPort !== null;
    const publicApp = this.buildApp({
      admin: separateAdmin ? undefined : admin,
      operatorEndpoints: c.operatorEndpoints === 'public' ? 'open' : separateAdmin ? 'absent' : 'admin',
      surface: 'public',
    });
    const opts = { requestTimeoutMs: c.httpRequestTimeoutMs, maxConnections: c.httpMaxConnections };
    this.http = new Listener('http', publicApp, opts, log);
    const addr = await this.http.listen(c.httpPort, c.listenAddress);
    this.http.server.on('error', (err) => log.error({ err }, 'HTTP server error'));
    this.attachMonitoring(this.http);
    log.info({ mod: 'api', address: addr.address, port: addr.port }, 'HTTP API listening');
    try {
      if (tls) {
        this.https = new Listener('https', publicApp, opts, log, tls);
        const a = await this.https.listen(c.httpsPort as number, c.listenAddress);
        this.attachMonitoring(this.https);
        log.info({ mod: 'api', address: a.address, port: a.port }, 'HTTPS API listening');
      }
      if (separateAdmin) {
        this.admin = new Listener('admin', this.buildApp({ admin, operatorEndpoints: 'admin', surface: 'admin' }), opts, log);
        const a = await this.admin.listen(c.adminPort as number, c.adminAddress);
        log.info({ mod: 'api', address: a.address, port: a.port }, 'admin API listening');
      }
      // P2P after HTTP so the version message can carry the real REST port.
      await this.pool.start();
    } catch (err) {
      await this.stop(); // release the ports bound so far: a failed start leaves nothing listening
      throw err;
    }
  }

  private buildApp(access: { admin: { gate: AdminGateOptions; ops: ReturnType<typeof createAdminOps> } | undefined; operatorEndpoints: 'open' | 'admin' | 'absent'; surface: 'public' | 'admin' }): Express {
    const c = this.cfg;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- read by the getter below
    const node = this;
    const app = createApiApp(
      {
        isTest: c.isTest,
        maxBodyBytes: c.maxBodyBytes,
        maxBatchItems: c.maxBatchItems,
        webDir: fileURLToPath(new URL('../web', import.meta.url)),
        limiter: this.limiter,
        trustProxy: c.trustProxy,
        ...access,
      },
      {
        service: this.service,
        schemas: this.schemas,
        spec: this.schemas.doc,
        log: this.log.child({ mod: 'api' }),
        now: this.now,
        monitoring: this.monitoring.hooks,
        standing: this.standing,
        bidStatus: this.bids ? (pk) => (this.bids as BidVerifier).bidStatus(pk) : undefined,
        placementOf: this.bids ? (pk) => (this.bids as BidVerifier).placementOf(pk) : undefined,
        placement: this.placement ?? undefined,
        manifests: this.manifests,
        facilitator: this.facilitator,
        facts: this.facts,
        isDurable: this.store ? () => (this.store as MempoolStore).durable : undefined,
        info: {
          version: VERSION,
          network: c.network,
          startedAt: this.startedAt,
          // A getter: thresholds may change on reload and GET /status must show the ones in force.
          get limits() {
            const k = node.cfg;
            return {
              maxOracles: k.maxOracles,
              maxCapabilities: k.maxCapabilities,
              maxReports: k.maxReports,
              powThresholdOracles: k.powThresholdOracles,
              powThresholdCapabilities: k.powThresholdCapabilities,
              powThresholdReports: k.powThresholdReports,
              // What a client sizing POST /entities batches needs (docs/PROTOCOL.md 10.1).
              maxBodyBytes: k.maxBodyBytes,
              maxBatchItems: k.maxBatchItems,
            };
          },
          shard: c.shard,
          facilitatorId: c.facilitatorId,
        },
      },
    );
    this.apps.push(app);
    return app;
  }

  /** Apply a new trust-proxy list to every app (SIGHUP). */
  setTrustProxy(proxies: readonly string[]): void {
    for (const app of this.apps) setTrustProxy(app, proxies);
  }

  /** Stop accepting, close connections, release the ports. */
  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    this.bids?.stop();
    this.lnd?.close();
    this.manifests.stop();
    this.facilitator.stop();
    await this.pool.stop();
    this.service.close();
    await this.verifier?.close();
    await this.monitoring.stop();
    const listeners = [this.http, this.https, this.admin].filter((l): l is Listener => l !== null);
    this.http = this.https = this.admin = null;
    await Promise.all(listeners.map((l) => l.close()));
    if (this.cookie) removeCookie(this.cookie.path, this.cookie.token);
    this.cookie = null;
    // Last: every door is closed, so nothing can be admitted after the final fsync.
    this.store?.close();
    this.log.info('Mega node stopped');
  }

  // ---- monitoring (page, Swagger UI, /events, /metrics, /stats, /peers) ----------------------

  /**
   * Built in the constructor so it counts from the first admission. The pool is its
   * PeerInfoSource (GET /peers, peer metrics), and the pool's peer events go to the live feed.
   */
  private createMonitoring(): Monitoring {
    const c = this.config;
    const dataDir = c.dataDir === null ? null : c.dataDir.replaceAll('{p2pPort}', String(c.p2pPort));
    const monitoring = new Monitoring(
      { dataDir, limits: configLimits(c) },
      { service: this.service, peers: this.pool, standing: this.standing, log: this.log.child({ mod: 'monitor' }), now: this.now },
    );
    for (const event of ['peer:connect', 'peer:disconnect', 'peer:relay'] as const) {
      this.pool.on(event, (p: PoolPeerSummary) => {
        try {
          monitoring.publishPeer(event, p);
        } catch (err) {
          this.log.error({ err }, `monitoring failed on ${event}`);
        }
      });
    }
    return monitoring;
  }

  /** Serve the WebSocket live feed on a public listener (upgrades at /events; HTTP and HTTPS share it). */
  private attachMonitoring(l: Listener): void {
    this.monitoring.attach(l.server as http.Server);
  }

  private wireLogging(): void {
    const log = this.log.child({ mod: 'mempool' });
    // Event listeners must never throw into the admission path (see MempoolEvents).
    this.service.on('admission', (r, source) => {
      try {
        if (r.status === 'rejected') log.info({ kind: r.kind, id: r.id?.slice(0, 66) ?? null, reason: r.reason, source }, 'rejected');
        else log.debug({ kind: r.kind, id: r.id, result: r.status, source }, 'admitted');
      } catch {
        // logging failures are not admission failures
      }
    });
    this.service.on('mempool:evicted', (e) => {
      try {
        log.info({ kind: e.kind, id: e.id, cause: e.cause }, 'evicted');
      } catch {
        // as above
      }
    });
  }
}
