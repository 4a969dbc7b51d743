/** node-admin.ts - the node's operator controls, part of the composition root: what a reload (SIGHUP, POST /admin/reload) applies while running, the admin API operations, and the admin cookie file. Only node.ts imports it. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { AdminOps, ReloadOutcome } from './api/admin.ts';
import { COOKIE_USER } from './api/admin.ts';
import { readTls } from './api/listeners.ts';
import { ConfigError } from './config/load.ts';
import type { MegaConfig } from './config/schema.ts';
import type { MegaNode } from './node.ts';
import { VERSION } from './node.ts';

/**
 * Keys a reload applies at once. Everything else (ports, addresses, dataDir, mempool sizes, shard,
 * network, …) is reported as needing a restart and stays as it was: a node never runs with a
 * half-applied config.
 */
export const RELOADABLE_KEYS: ReadonlySet<keyof MegaConfig> = new Set<keyof MegaConfig>([
  'logLevel',
  'powThresholdOracles',
  'powThresholdCapabilities',
  'powThresholdReports',
  'powThresholdAnnouncements',
  'maxAnnouncementHorizonMs',
  'powThresholdOffers',
  'offerMaxLifetimeSeconds',
  'whitelist',
  'p2pseed',
  'maxConnections',
  'targetOutbound',
  'maxInboundPerAddress',
  'limitLoopback',
  'banTimeMs',
  'httpRateLimitPerSecond',
  'httpRateBurst',
  'trustProxy',
  'adminAllowFrom',
]);

/**
 * Re-read the config and apply what can change while running. An invalid config applies nothing.
 * With an HTTPS listener, the certificate and key files are read again even when their paths did
 * not change (a renewed certificate keeps its path); unreadable ones keep the old certificate.
 */
export function applyConfig(node: MegaNode, trigger: string): { ok: true; outcome: ReloadOutcome } | { ok: false; problems: string[] } {
  const log = node.log;
  if (!node.loadConfig) return { ok: false, problems: ['this node was started without a config file to re-read'] };
  let next: MegaConfig;
  try {
    next = node.loadConfig();
  } catch (e) {
    const problems = e instanceof ConfigError ? e.problems : [String(e)];
    log.error({ trigger, err: problems }, `${trigger}: the config is invalid; nothing reloaded`);
    return { ok: false, problems };
  }
  const cur = node.config;
  const reloaded: string[] = [];
  const needsRestart: string[] = [];
  const applied: Partial<Record<keyof MegaConfig, unknown>> = {};
  let tlsFailed: string | null = null;
  if (node.https && next.tlsCertPath && next.tlsKeyPath) {
    try {
      node.https.setTls(readTls({ certPath: next.tlsCertPath, keyPath: next.tlsKeyPath }));
      reloaded.push('tlsCertificate');
      applied.tlsCertPath = next.tlsCertPath;
      applied.tlsKeyPath = next.tlsKeyPath;
    } catch (e) {
      tlsFailed = (e as Error).message;
      log.error({ trigger, err: tlsFailed }, `${trigger}: TLS files not reloaded; the old certificate stays in use`);
    }
  }
  for (const key of Object.keys(next) as (keyof MegaConfig)[]) {
    if (JSON.stringify(next[key]) === JSON.stringify(cur[key])) continue;
    if (RELOADABLE_KEYS.has(key)) {
      reloaded.push(key);
      applied[key] = next[key];
    } else if ((key === 'tlsCertPath' || key === 'tlsKeyPath') && node.https) {
      if (tlsFailed) needsRestart.push(key);
    } else needsRestart.push(key);
  }
  const c = Object.freeze({ ...cur, ...applied }) as MegaConfig;
  node.log.level = c.logLevel;
  node.service.configure({
    powThresholdOracles: c.powThresholdOracles,
    powThresholdCapabilities: c.powThresholdCapabilities,
    powThresholdReports: c.powThresholdReports,
    powThresholdAnnouncements: c.powThresholdAnnouncements,
    maxAnnouncementHorizonMs: c.maxAnnouncementHorizonMs,
    powThresholdOffers: c.powThresholdOffers,
    offerMaxLifetimeSeconds: c.offerMaxLifetimeSeconds,
  });
  node.pool.reconfigure({
    maxConnections: c.maxConnections,
    targetOutbound: c.targetOutbound,
    maxInboundPerAddress: c.maxInboundPerAddress,
    limitLoopback: c.limitLoopback,
    banTimeMs: c.banTimeMs,
    whitelist: c.whitelist,
    seeds: c.p2pseed,
  });
  node.limiter.configure({ perSecond: c.httpRateLimitPerSecond, burst: c.httpRateBurst, limitLoopback: c.limitLoopback });
  node.setTrustProxy(c.trustProxy);
  node.setConfig(c); // adminAllowFrom is read from here by the admin gate
  log.info({ trigger, reloaded, needsRestart }, `${trigger}: config re-read`);
  return { ok: true, outcome: { reloaded, needsRestart } };
}

/** The operations behind /admin/…. */
export function createAdminOps(node: MegaNode): AdminOps {
  const log = node.log.child({ mod: 'admin' });
  return {
    status: () => {
      const peers = node.pool.list();
      return {
        version: VERSION,
        network: node.config.network,
        pid: process.pid,
        uptimeSeconds: Math.floor(process.uptime()),
        listeners: { http: node.httpPort, https: node.httpsPort || null, admin: node.adminPort || null, p2p: node.p2pPort },
        peers: { total: peers.length, inbound: peers.filter((p) => p.direction === 'inbound').length, outbound: peers.filter((p) => p.direction === 'outbound').length },
        bans: node.pool.bans.list().length,
        counts: node.service.counts(),
        dataDir: node.dataDir,
        durable: node.store ? node.store.durable : null,
        journalBytes: node.store ? node.store.pendingBytes : null,
        memory: { rssBytes: process.memoryUsage.rss(), heapUsedBytes: process.memoryUsage().heapUsed },
      };
    },
    peers: () =>
      node.pool.list().map((p) => ({
        address: p.address,
        direction: p.direction,
        userAgent: p.userAgent,
        shard: p.shard,
        httpPort: p.httpPort,
        connectedSince: new Date(p.connectedSince).toISOString(),
        lastSeen: new Date(p.lastSeen).toISOString(),
        bytesIn: p.bytesIn,
        bytesOut: p.bytesOut,
        relay: p.relay,
      })),
    bans: () => node.pool.bans.list(),
    ban: (address, durationMs) => {
      const out = node.pool.banAddress(address, durationMs);
      log.warn({ address, until: new Date(out.until).toISOString(), disconnected: out.disconnected }, 'address banned by the operator');
      return out;
    },
    unban: (address) => {
      const was = node.pool.bans.unban(address);
      if (was) log.warn({ address }, 'ban lifted by the operator');
      return was;
    },
    connect: (host, port) => {
      log.info({ host, port }, 'dialing at the operator\'s request');
      node.pool.connect(host, port);
    },
    disconnect: (address) => {
      const n = node.pool.disconnect(address);
      log.info({ address, disconnected: n }, 'disconnected at the operator\'s request');
      return n;
    },
    reload: () => node.reload('admin reload'),
    compact: async () => {
      const store = node.store;
      if (!store) return { ok: false, reason: 'this node keeps no journal (dataDir is null)' };
      await store.whenIdle();
      const journalBytesBefore = store.pendingBytes;
      try {
        store.compact();
      } catch (err) {
        log.error({ err }, 'journal compaction failed');
        return { ok: false, reason: `compaction failed: ${(err as Error).message}` };
      }
      log.info({ journalBytesBefore }, 'journal compacted at the operator\'s request');
      return { ok: true, journalBytesBefore };
    },
  };
}

/** Write a fresh admin token to `path` as `__cookie__:<64 hex>` (bitcoind's .cookie format), mode 0600, replacing any old file. Returns the token. */
export function writeCookie(path: string): string {
  const token = crypto.randomBytes(32).toString('hex');
  const tmp = `${path}.tmp`;
  fs.rmSync(tmp, { force: true });
  // Created 0600 (never readable by others, not even for a moment), then renamed over any old cookie.
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    try {
      fs.writeSync(fd, `${COOKIE_USER}:${token}`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, path);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  return token;
}

/** Remove the cookie at stop, unless another process has replaced it meanwhile. */
export function removeCookie(path: string, token: string): void {
  try {
    if (fs.readFileSync(path, 'utf8') === `${COOKIE_USER}:${token}`) fs.rmSync(path);
  } catch {
    // already gone
  }
}
