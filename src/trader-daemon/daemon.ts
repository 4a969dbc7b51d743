/** trader-daemon/daemon.ts - the mega-trader service: composes identity, chain backend, wallet, contract engine, node port, counterparty client and endpoint, admin API, attestation watcher and the tick timer; starts them in dependency order and stops them in reverse. Imports trader-daemon, daemon, protocol, trader, wallet and chain types. */
import path from 'node:path';
import * as bitcoin from 'bitcoinjs-lib';
import type { Logger } from 'pino';
import type { ChainBackend, BitcoinChainName } from '../chain/types.ts';
import { CookieAdminServer } from '../daemon/admin-server.ts';
import { ensureDataDir } from '../daemon/data-dir.ts';
import { acquireDirLock } from '../daemon/private-file.ts';
import type { OfferChain } from '../protocol/types.ts';
import type { ContractEngine, CounterpartyPort, EngineDeps, Envelope } from '../trader/types.ts';
import type { Wallet } from '../wallet/types.ts';
import { adminRoutes } from './admin-routes.ts';
import { AttestationWatcher } from './attestations.ts';
import type { TraderDaemonConfig } from './config.ts';
import { httpErrorOf } from './errors.ts';
import { loadOrCreateIdentity, type TraderIdentity } from './identity.ts';
import { NodeRestPort } from './node-port.ts';
import { HttpPeerClient } from './peer-client.ts';
import { PeerServer } from './peer-server.ts';

/** Largest admin request body (offer terms with up to 1000 payouts). */
const MAX_ADMIN_BODY_BYTES = 512 * 1024;

/** The concrete parts the daemon composes (parts.ts: bitcoind RPC client, BIP84 wallet, contract engine). */
export interface TraderParts {
  createChain(c: TraderDaemonConfig['chain']): ChainBackend;
  createWallet(o: { dataDir: string; chainName: BitcoinChainName; chain: ChainBackend; birthdayHeight: number | null; log: Logger }): Promise<Wallet>;
  createEngine(deps: EngineDeps, log: Logger): Promise<ContractEngine>;
}

/** bitcoind chain names each configured network accepts (getblockchaininfo `chain`). */
const CHAIN_NAMES: Record<OfferChain, readonly BitcoinChainName[]> = {
  'bitcoin-regtest': ['regtest'],
  'bitcoin-testnet': ['test', 'testnet4'],
  'bitcoin-signet': ['signet'],
  'bitcoin-mainnet': ['main'],
};

/** bitcoinjs network for addresses. */
export function addressNetwork(n: OfferChain): bitcoin.networks.Network {
  return n === 'bitcoin-mainnet' ? bitcoin.networks.bitcoin : n === 'bitcoin-regtest' ? bitcoin.networks.regtest : bitcoin.networks.testnet;
}

/** One trader daemon. */
export class TraderDaemon {
  private releaseLock: (() => void) | null = null;
  private identity: TraderIdentity | null = null;
  private chain: ChainBackend | null = null;
  private wallet: Wallet | null = null;
  private engine: ContractEngine | null = null;
  private peerServer: PeerServer | null = null;
  private admin: CookieAdminServer | null = null;
  private watcher: AttestationWatcher | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private lastTick: { at: number; error: string | null } | null = null;
  private readonly mega: NodeRestPort;
  /** The contact put into offers, once the endpoint is bound. */
  contact = '';

  constructor(
    private readonly cfg: TraderDaemonConfig,
    private readonly log: Logger,
    private readonly parts: TraderParts,
  ) {
    this.mega = new NodeRestPort(cfg.nodes, cfg.nodeTimeoutMs);
  }

  /** Start everything; throws (after undoing what started) when a part cannot start. */
  async start(): Promise<void> {
    const cfg = this.cfg;
    ensureDataDir(cfg.dataDir);
    this.releaseLock = acquireDirLock(cfg.dataDir);
    this.identity = loadOrCreateIdentity(cfg.identityKeyFile);
    this.log.info({ pubkey: this.identity.pubkey, created: this.identity.created, file: cfg.identityKeyFile }, 'identity key');
    const chain = this.parts.createChain(cfg.chain);
    this.chain = chain;
    const tip = await chain.tip();
    if (!CHAIN_NAMES[cfg.chain.network].includes(tip.chain)) throw new Error(`chain.network is ${cfg.chain.network} but the backend at ${cfg.chain.rpcUrl} runs "${tip.chain}"`);
    this.log.info({ chain: tip.chain, height: tip.height }, 'chain backend');
    const wallet = await this.parts.createWallet({ dataDir: path.join(cfg.dataDir, 'wallet'), chainName: tip.chain, chain, birthdayHeight: cfg.chain.birthdayHeight, log: this.log.child({ mod: 'wallet' }) });
    this.wallet = wallet;
    await wallet.sync();

    const peerLog = this.log.child({ mod: 'peers' });
    const client = new HttpPeerClient(cfg.peers);
    const peers: CounterpartyPort = {
      send: async (contact: string, envelope: Envelope) => {
        // Logged before the request leaves: the engine persisted the phase that depends on it first.
        peerLog.info({ type: envelope.type, offerId: envelope.offerId, exchangeId: envelope.exchangeId, contact }, `sending ${envelope.type}`);
        const answer = await client.send(contact, envelope);
        peerLog.info({ type: answer.type, offerId: envelope.offerId, exchangeId: envelope.exchangeId }, `received ${String(answer.type)}`);
        return answer;
      },
    };
    let engine: ContractEngine | null = null;
    this.peerServer = new PeerServer(cfg.listen, {
      receive: async (body) => {
        if (!engine) throw Object.assign(new Error('the daemon is starting'), { name: 'EngineError', code: 'busy' });
        const t = (body as { type?: unknown } | null)?.type;
        peerLog.info({ type: typeof t === 'string' ? t.slice(0, 16) : null }, 'envelope received');
        return engine.receive(body);
      },
      mapError: httpErrorOf,
      onInternalError: (e) => peerLog.error({ err: e }, 'counterparty envelope failed (a bug)'),
      info: () => ({ pubkey: this.identity?.pubkey, network: cfg.chain.network, protocol: 'mega-dlc-v0' }),
    });
    await this.peerServer.start();
    this.contact = cfg.listen.publicUrl ?? `http://${cfg.listen.host.includes(':') ? `[${cfg.listen.host}]` : cfg.listen.host}:${this.peerServer.port}`;
    engine = await this.parts.createEngine(
      {
        dataDir: path.join(cfg.dataDir, 'contracts'),
        wallet,
        chain,
        mega: this.mega,
        peers,
        identitySecret: this.identity.secret,
        contact: this.contact,
        offerDifficulty: cfg.offers.difficulty,
        minConfirmations: cfg.minConfirmations,
        maxFeeRate: cfg.maxFeeRate,
      },
      this.log.child({ mod: 'engine' }),
    );
    this.engine = engine;
    const live = engine;

    this.admin = new CookieAdminServer({
      dataDir: cfg.dataDir,
      host: cfg.admin.host,
      port: cfg.admin.port,
      maxBodyBytes: MAX_ADMIN_BODY_BYTES,
      mapError: httpErrorOf,
      onInternalError: (e, route) => this.log.error({ err: e, route }, 'admin request failed (a bug)'),
      routes: adminRoutes({
        engine: live,
        wallet,
        network: cfg.chain.network,
        status: () => this.status(),
        newAddress: async () => {
          const script = await wallet.newReceiveScript();
          return { address: bitcoin.address.fromOutputScript(script, addressNetwork(cfg.chain.network)), scriptPubKey: Buffer.from(script).toString('hex') };
        },
        syncWallet: () => wallet.sync(),
      }),
    });
    const adminUrl = await this.admin.start();

    this.watcher = new AttestationWatcher(cfg.nodes, cfg.attestationPollSeconds * 1000, {
      watching: () => live.watching(),
      mega: this.mega,
      deliver: (a) => live.onAttestation(a),
      log: this.log.child({ mod: 'attestations' }),
    });
    this.watcher.start();
    this.tickTimer = setInterval(() => void this.tick(), cfg.tickSeconds * 1000);
    this.tickTimer.unref();
    this.log.info({ pubkey: this.identity.pubkey, contact: this.contact, admin: adminUrl, nodes: cfg.nodes, network: cfg.chain.network }, 'mega-trader started');
  }

  /** One round of periodic work: wallet sync, then the engine's tick; never two at once. */
  tick(): Promise<void> {
    if (this.ticking) return this.ticking;
    const run = async (): Promise<void> => {
      try {
        await this.wallet?.sync();
        await this.engine?.tick();
        this.lastTick = { at: Date.now(), error: null };
      } catch (e) {
        this.lastTick = { at: Date.now(), error: (e as Error).message.slice(0, 300) };
        this.log.warn({ err: (e as Error).message }, 'tick failed; retried at the next one');
      }
    };
    this.ticking = run().finally(() => (this.ticking = null));
    return this.ticking;
  }

  /** What GET /status answers. */
  async status(): Promise<object> {
    let chain: object;
    try {
      const t = await (this.chain as ChainBackend).tip();
      chain = { chain: t.chain, height: t.height, medianTime: t.medianTime };
    } catch (e) {
      chain = { error: (e as Error).message.slice(0, 200) };
    }
    const contracts = this.engine?.list() ?? [];
    const byPhase: Record<string, number> = {};
    for (const c of contracts) byPhase[c.phase] = (byPhase[c.phase] ?? 0) + 1;
    const b = this.wallet?.balance();
    return {
      pubkey: this.identity?.pubkey ?? null,
      contact: this.contact,
      network: this.cfg.chain.network,
      nodes: this.cfg.nodes,
      chain,
      balance: b ? { available: b.available.toString(), reserved: b.reserved.toString(), pending: b.pending.toString() } : null,
      contracts: { total: contracts.length, byPhase },
      watching: this.engine?.watching() ?? [],
      liveFeed: this.watcher?.connected ?? false,
      lastTick: this.lastTick ? { at: new Date(this.lastTick.at).toISOString(), error: this.lastTick.error } : null,
    };
  }

  /** Stop in reverse order; safe to call after a failed start and more than once. */
  async stop(): Promise<void> {
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.tickTimer = null;
    this.watcher?.stop();
    await this.admin?.stop().catch((e: unknown) => this.log.warn({ err: (e as Error).message }, 'admin stop'));
    await this.peerServer?.stop().catch((e: unknown) => this.log.warn({ err: (e as Error).message }, 'endpoint stop'));
    await this.ticking?.catch(() => undefined);
    await this.engine?.close().catch((e: unknown) => this.log.warn({ err: (e as Error).message }, 'engine close'));
    this.admin = this.peerServer = this.watcher = this.engine = null;
    this.releaseLock?.();
    this.releaseLock = null;
  }
}
