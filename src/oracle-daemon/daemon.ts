/** oracle-daemon/daemon.ts - composition root of `mega-oracle`: locks the data dir, loads the keys (one Signer each), builds the ads, starts the publisher, the event engine, the admin API and any added services (fact server, report answerer), and stops them in reverse; mines more PoW when the rank target is missed. Imports oracle, protocol, dlc and oracle-daemon. */
import path from 'node:path';
import type { Logger } from 'pino';
import { DlcOracleState } from '../oracle/dlc-oracle.ts';
import { acquireDirLock, ensurePrivateDir } from '../oracle/durable.ts';
import { KeyFileSigner, type Signer } from '../oracle/signer.ts';
import { resolveValue, type SourceArgs, type SourceValue } from '../oracle/sources.ts';
import { MiningAbortedError } from '../protocol/pow-miner.ts';
import { AdBook, type OracleKeys } from './ads.ts';
import { AdminServer } from './admin.ts';
import type { CapabilityConfig, OracleDaemonConfig } from './config.ts';
import { EventEngine } from './events.ts';
import { Publisher } from './publisher.ts';
import { DaemonState } from './state.ts';
import { factServices, loadGatewayKey } from './facts.ts';

/** A long-lived part added to the daemon (the fact server, the report answerer): started after the core, stopped before it. */
export interface DaemonService {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Shown under its name in GET /status. */
  status?(): unknown;
}

/** A capability as the fact server and report answerer see it: its config, its key and its data source. */
export interface CapabilityHandle {
  name: string;
  config: CapabilityConfig;
  signer: Signer;
  /** The source's current value for these arguments (rejects with SourceError). */
  resolve(args?: SourceArgs, signal?: AbortSignal): Promise<SourceValue>;
}

/** Keys that must never be the same: a capability's DLC key differs from every ECDSA key (docs/PROTOCOL.md "DLC oracles"). */
function checkKeys(keys: OracleKeys): void {
  const xOf = (s: Signer): string => s.publicKey.slice(2);
  const ecdsa = [keys.identity, ...keys.capabilities.values()];
  const seen = new Set<string>();
  for (const s of ecdsa) {
    if (seen.has(s.publicKey)) throw new Error('two of the identity and capability key files hold the same key; each needs its own');
    seen.add(s.publicKey);
  }
  if (keys.dlc && ecdsa.some((s) => xOf(s) === keys.dlc!.dlcKey)) throw new Error('dlcKeyFile holds the identity key or a capability key; the DLC key must be a key of its own');
}

/** One running oracle. */
export class OracleDaemon {
  private releaseLock: (() => void) | null = null;
  private state!: DaemonState;
  private keys!: OracleKeys;
  private ads!: AdBook;
  private publisher!: Publisher;
  private events!: EventEngine;
  private admin!: AdminServer;
  private readonly services: DaemonService[] = [];
  private mining: { target: number; abort: AbortController } | null = null;
  private miningNote: string | null = null;
  private readonly abort = new AbortController();
  /** The admin API's URL once started. */
  adminUrl = '';

  constructor(
    readonly cfg: OracleDaemonConfig,
    private readonly log: Logger,
  ) {}

  /** Add a service (before start). */
  addService(s: DaemonService): void {
    this.services.push(s);
  }

  /** The capabilities with their keys and sources, by capabilityPubKey (after start). */
  capabilityHandles(): Map<string, CapabilityHandle> {
    const out = new Map<string, CapabilityHandle>();
    for (const c of this.cfg.capabilities) {
      const signer = this.keys.capabilities.get(c.name) as Signer;
      out.set(signer.publicKey, { name: c.name, config: c, signer, resolve: (args, signal) => (c.source ? resolveValue(c.source, args, signal) : Promise.reject(new Error(`capability ${c.name} has no source`))) });
    }
    return out;
  }

  /** The identity signer (signs disputes and ads). */
  get identity(): Signer {
    return this.keys.identity;
  }

  async start(): Promise<void> {
    const { cfg, log } = this;
    ensurePrivateDir(cfg.dataDir);
    this.releaseLock = acquireDirLock(cfg.dataDir, 'daemon.lock');
    const capabilities = new Map<string, Signer>();
    for (const c of cfg.capabilities) capabilities.set(c.name, KeyFileSigner.fromFile(c.keyFile));
    this.keys = { identity: KeyFileSigner.fromFile(cfg.identity.keyFile), dlc: cfg.dlcKeyFile ? KeyFileSigner.fromFile(cfg.dlcKeyFile) : null, capabilities };
    checkKeys(this.keys);
    this.state = new DaemonState(cfg.dataDir);
    const dlc = this.keys.dlc ? new DlcOracleState(path.join(cfg.dataDir, 'dlc'), this.keys.dlc) : null;
    // The Oblivious HTTP gateway key comes first: capabilities publish its key configuration.
    const gateway = cfg.factServer?.oblivious ? await loadGatewayKey(cfg.dataDir) : null;
    this.ads = new AdBook(cfg, this.keys, this.state, gateway?.keyConfigHex ?? null);
    await this.ads.prepare(this.abort.signal);
    log.info({ oracle: this.ads.oracle.pubkey, seqNo: this.ads.oracle.seqNo, difficulty: this.ads.oracle.pow.difficulty, capabilities: this.ads.capabilities.length, dlcKey: this.keys.dlc?.dlcKey ?? null }, 'ads ready');
    this.events = new EventEngine({ cfg, state: this.state, dlc: dlc as DlcOracleState, ads: this.ads, publish: (k, e, id) => this.publisher.postEverywhere(k, e, id), log: log.child({ mod: 'events' }) });
    this.publisher = new Publisher(cfg, { ads: this.ads, events: () => this.events.published(), paused: () => this.state.paused, onRankShort: (need) => this.rankShort(need), log: log.child({ mod: 'publisher' }) });
    this.admin = new AdminServer(cfg.dataDir, cfg.admin.host, cfg.admin.port, {
      status: () => this.status(),
      postOutcome: (cap, sel, value) => this.events.postManual(cap, sel, value),
      setPaused: (p) => this.setPaused(p),
    });
    this.adminUrl = await this.admin.start();
    log.info({ url: this.adminUrl }, 'admin API listening');
    if (!/^(127\.|::1$|localhost$)/.test(cfg.admin.host)) log.warn({ host: cfg.admin.host }, 'the admin API is not on loopback: anyone who can reach it and read the cookie can pause the oracle or post outcomes');
    this.publisher.start();
    if (dlc) this.events.start();
    this.services.unshift(...factServices(cfg, { capabilities: this.capabilityHandles(), identity: this.keys.identity, gateway, log: log.child({ mod: 'facts' }) }));
    for (const s of this.services) await s.start();
    log.info({ nodes: cfg.nodes, paused: this.state.paused }, 'oracle daemon started');
  }

  async stop(): Promise<void> {
    for (const s of [...this.services].reverse()) await s.stop().catch((err: unknown) => this.log.error({ err, service: s.name }, 'service stop failed'));
    this.abort.abort();
    this.mining?.abort.abort();
    this.events?.stop();
    this.publisher?.stop();
    await this.admin?.stop();
    this.releaseLock?.();
    this.releaseLock = null;
  }

  private setPaused(p: boolean): void {
    if (this.state.paused === p) return;
    this.state.setPaused(p);
    this.log.info({ paused: p }, p ? 'publishing paused' : 'publishing resumed');
    if (!p) this.publisher.syncAll();
  }

  /** The rank target is missed: mine the ad up to `need` bits (within the budget), then publish it again. */
  private rankShort(need: number | null): void {
    const current = this.ads.oracle.pow.difficulty;
    const target = Math.max(need ?? current + 1, current + 1);
    if (this.mining && this.mining.target >= target) return;
    if (target > this.cfg.miningBudget.maxDifficulty) {
      const note = `rank target needs ${target} bits, beyond miningBudget.maxDifficulty ${this.cfg.miningBudget.maxDifficulty}`;
      if (this.miningNote !== note) this.log.warn({ need: target }, note);
      this.miningNote = note;
      return;
    }
    this.mining?.abort.abort();
    const abort = new AbortController();
    this.mining = { target, abort };
    this.miningNote = `mining ${target} bits`;
    this.log.info({ from: current, to: target }, 'rank fell: raising the PoW of the oracle ad');
    void this.ads
      .raiseOracleDifficulty(target, AbortSignal.any([abort.signal, this.abort.signal]))
      .then((pow) => {
        this.miningNote = null;
        this.log.info({ difficulty: pow.difficulty }, 'PoW raised; publishing the ad again');
        this.publisher.syncAll();
      })
      .catch((err: unknown) => {
        if (!(err instanceof MiningAbortedError)) this.log.error({ err }, 'mining failed');
      })
      .finally(() => {
        if (this.mining?.abort === abort) this.mining = null;
      });
  }

  /** Everything GET /status shows. */
  status(): object {
    const extra: Record<string, unknown> = {};
    for (const s of this.services) if (s.status) extra[s.name] = s.status();
    return {
      oracle: { pubkey: this.ads.oracle.pubkey, seqNo: this.ads.oracle.seqNo, difficulty: this.ads.oracle.pow.difficulty, dlcKey: this.keys.dlc?.dlcKey ?? null },
      paused: this.state.paused,
      mining: { running: this.mining?.target ?? null, note: this.miningNote, maxDifficulty: this.cfg.miningBudget.maxDifficulty, rankTarget: this.cfg.rankTarget },
      capabilities: this.cfg.capabilities.map((c) => {
        const ad = this.ads.capability(c.name);
        return { name: c.name, capabilityPubKey: ad?.capabilityPubKey, seqNo: ad?.seqNo, difficulty: ad?.pow.difficulty, source: c.source?.type ?? null, dlc: ad?.dlc ?? null };
      }),
      nodes: this.publisher.status(),
      events: this.keys.dlc ? this.events.status() : null,
      ...extra,
    };
  }
}

