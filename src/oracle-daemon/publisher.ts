/** oracle-daemon/publisher.ts - keeps every configured node holding the oracle: posts new entities at once, and checks each node (at start, every checkIntervalSec, after a failure with backoff) for the ad, capabilities, announcements and attestations, posting what it lost; reads the rank and asks for more PoW when it fell. Imports oracle-daemon and protocol. */
import type { Logger } from 'pino';
import type { Announcement, Attestation } from '../protocol/types.ts';
import type { AdBook } from './ads.ts';
import type { OracleDaemonConfig } from './config.ts';
import { NodeClient, NodeUnreachable, type PostOutcome } from './node-client.ts';

/** What the event engine has to keep published. */
export interface PublishedEvent {
  id: string;
  entity: Announcement;
  maturityEpoch: number;
  attestation: Attestation | null;
}

/** One refusal by a node, kept for the status. */
export interface Refusal {
  kind: string;
  code: string;
  message: string;
  at: string;
}

/** What the status shows per node. */
export interface NodeStatus {
  url: string;
  reachable: boolean | null;
  lastCheckAt: string | null;
  lastError: string | null;
  /** held: the node has our current version; missing/outdated were seen at the last check (and posted again). */
  oracle: 'held' | 'missing' | 'outdated' | 'refused' | 'unknown';
  capabilitiesHeld: number;
  announcementsHeld: number;
  attestationsHeld: number;
  /** Entities the checks posted (everything, the first time). */
  posted: number;
  /** Of those, entities the node had held before and lost (evicted, or the node restarted empty). */
  restored: number;
  /** Position (1-based) in GET /oracles?question=… among the first `top`, or null when outside. */
  rank: { position: number | null; top: number; question: string } | null;
  refusals: Refusal[];
}

/** Collaborators of the publisher. */
export interface PublisherDeps {
  ads: AdBook;
  events: () => PublishedEvent[];
  paused: () => boolean;
  /** The rank target is missed: at least `need` bits of PoW would fix it (null: unknown, one more than now). */
  onRankShort: (need: number | null) => void;
  log: Logger;
}

const RANK_HINT = /\(difficulty (\d+)\)/;
/** Most keys remembered per node (then forgotten at once: only the restored count is affected). */
const MAX_SEEN = 50_000;

class NodeLink {
  readonly client: NodeClient;
  readonly status: NodeStatus;
  running = false;
  again = false;
  /** A check has completed since start: the node holds the ad and capabilities new entities hang on. */
  synced = false;
  failures = 0;
  timer: NodeJS.Timeout | null = null;
  /** Keys of what this node was seen holding (or took), to tell a restore from a first post. Bounded by what the daemon publishes. */
  readonly seenHeld = new Set<string>();

  constructor(url: string, timeoutMs: number) {
    this.client = new NodeClient(url, timeoutMs);
    this.status = { url, reachable: null, lastCheckAt: null, lastError: null, oracle: 'unknown', capabilitiesHeld: 0, announcementsHeld: 0, attestationsHeld: 0, posted: 0, restored: 0, rank: null, refusals: [] };
  }
}

function remember(l: NodeLink, key: string): void {
  if (l.seenHeld.size >= MAX_SEEN) l.seenHeld.clear();
  l.seenHeld.add(key);
}

/** Keeps the nodes in step with the oracle. Lifecycle: start() checks every node at once; stop() clears timers (in-flight requests end by their deadline). */
export class Publisher {
  private readonly links: NodeLink[];
  private interval: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly cfg: OracleDaemonConfig,
    private readonly deps: PublisherDeps,
  ) {
    this.links = cfg.nodes.map((u) => new NodeLink(u, cfg.nodeTimeoutMs));
  }

  start(): void {
    this.stopped = false;
    for (const l of this.links) this.sync(l);
    this.interval = setInterval(() => this.syncAll(), this.cfg.checkIntervalSec * 1000);
    this.interval.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.interval) clearInterval(this.interval);
    for (const l of this.links) if (l.timer) clearTimeout(l.timer);
  }

  /** Check every node now (after a change the periodic check would otherwise wait for). */
  syncAll(): void {
    for (const l of this.links) this.sync(l);
  }

  /** Per-node status. */
  status(): NodeStatus[] {
    return this.links.map((l) => structuredClone(l.status));
  }

  /** Post one new entity to every node now; a node that cannot take it is checked again with backoff. */
  postEverywhere(kind: 'announcement' | 'attestation', entity: Announcement | Attestation, id: string): void {
    if (this.deps.paused()) return;
    for (const l of this.links) {
      if (!l.synced) {
        this.sync(l); // the check in flight (or a new one) posts it after what it hangs on
        continue;
      }
      void l.client
        .post(kind, entity)
        .then((r) => {
          if (r.status === 'rejected') {
            this.refused(l, kind, r);
            this.retryLater(l);
          } else remember(l, `${kind}:${id}`);
        })
        .catch((e: unknown) => this.failed(l, e));
    }
  }

  private refused(l: NodeLink, kind: string, r: Extract<PostOutcome, { status: 'rejected' }>): void {
    l.status.refusals.unshift({ kind, code: r.code, message: r.message, at: new Date().toISOString() });
    l.status.refusals.length = Math.min(l.status.refusals.length, 10);
    this.deps.log.warn({ node: l.status.url, kind, code: r.code, message: r.message }, 'node refused');
  }

  private failed(l: NodeLink, e: unknown): void {
    l.status.reachable = false;
    l.status.lastError = (e as Error).message;
    this.deps.log.warn({ node: l.status.url, err: (e as Error).message }, 'node unreachable');
    this.retryLater(l);
  }

  private retryLater(l: NodeLink): void {
    if (this.stopped || l.timer) return;
    const delay = Math.min(this.cfg.retry.maxMs, this.cfg.retry.initialMs * 2 ** Math.min(l.failures++, 20));
    l.timer = setTimeout(() => {
      l.timer = null;
      this.sync(l);
    }, delay);
    l.timer.unref();
  }

  private sync(l: NodeLink): void {
    if (this.stopped) return;
    if (l.running) {
      l.again = true;
      return;
    }
    l.running = true;
    void this.check(l)
      .then((ok) => {
        l.status.reachable = true;
        l.status.lastError = null;
        l.synced = true;
        if (ok) l.failures = 0;
        else this.retryLater(l);
      })
      .catch((e: unknown) => {
        if (e instanceof NodeUnreachable) this.failed(l, e);
        else this.deps.log.error({ err: e, node: l.status.url }, 'node check failed (a bug)');
      })
      .finally(() => {
        l.running = false;
        l.status.lastCheckAt = new Date().toISOString();
        if (l.again) {
          l.again = false;
          this.sync(l);
        }
      });
  }

  /** Post `entity` unless paused; true when the node now holds it. */
  private async repost(l: NodeLink, kind: 'oracle' | 'capability' | 'announcement' | 'attestation', entity: Parameters<NodeClient['post']>[1], key: string): Promise<PostOutcome | null> {
    if (this.deps.paused()) return null;
    const r = await l.client.post(kind, entity);
    if (r.status === 'rejected') this.refused(l, kind, r);
    else {
      l.status.posted++;
      if (l.seenHeld.has(key)) {
        l.status.restored++;
        this.deps.log.info({ node: l.status.url, kind, key }, 'the node had lost it: posted again');
      }
      remember(l, key);
    }
    return r;
  }

  /** One check of one node; false when something could not be placed (checked again with backoff). */
  private async check(l: NodeLink): Promise<boolean> {
    const { ads } = this.deps;
    const pk = ads.oracle.pubkey;
    let ok = true;
    // 1. The identity ad: ours, at our seqNo, with at least our PoW.
    const held = await l.client.oracle(pk);
    if (held && (held.seqNo > ads.oracle.seqNo || (held.seqNo === ads.oracle.seqNo && held.oracleSignature !== ads.oracle.oracleSignature))) {
      // Another version of this key's ad (an older data dir, or another process using the key: that one must stop).
      this.deps.log.warn({ node: l.status.url, theirs: held.seqNo, ours: ads.oracle.seqNo }, 'the node holds another version of the ad; publishing ours above it');
      ads.adoptSeqNo(held.seqNo);
    }
    const current = held !== null && held.seqNo === ads.oracle.seqNo && held.oracleSignature === ads.oracle.oracleSignature && held.pow.difficulty >= ads.oracle.pow.difficulty;
    l.status.oracle = current ? 'held' : held ? 'outdated' : 'missing';
    if (held) remember(l, `oracle:${pk}`);
    if (!current) {
      const r = await this.repost(l, 'oracle', ads.oracle, `oracle:${pk}`);
      if (r?.status === 'rejected') {
        l.status.oracle = 'refused';
        if (r.code === 'rank-too-low') {
          const m = RANK_HINT.exec(r.message);
          this.deps.onRankShort(m ? Number(m[1]) + 1 : null);
        }
        return false; // nothing else can be placed without the ad
      }
      if (r === null) return true; // paused
      l.status.oracle = 'held';
    }
    // 2. Capabilities.
    const caps = new Map((await l.client.capabilities(pk)).map((c) => [c.capabilityPubKey, c]));
    let capsHeld = 0;
    for (const [i, ours] of ads.capabilities.entries()) {
      const theirs = caps.get(ours.capabilityPubKey);
      let cap = ours;
      if (theirs && (theirs.seqNo > ours.seqNo || (theirs.seqNo === ours.seqNo && theirs.oracleSignature !== ours.oracleSignature))) {
        const name = this.cfg.capabilities[i]?.name as string;
        if (ads.adoptCapabilitySeqNo(name, theirs.seqNo)) cap = ads.capability(name) ?? ours;
      }
      if (theirs) remember(l, `capability:${cap.capabilityPubKey}`);
      if (theirs && theirs.seqNo === cap.seqNo && theirs.oracleSignature === cap.oracleSignature && theirs.pow.difficulty >= cap.pow.difficulty) capsHeld++;
      else {
        const r = await this.repost(l, 'capability', cap, `capability:${cap.capabilityPubKey}`);
        if (r?.status === 'rejected') ok = false;
        else capsHeld++;
      }
    }
    l.status.capabilitiesHeld = capsHeld;
    // 3. Announcements and attestations still worth carrying.
    const anns = new Map((await l.client.announcements(pk)).map((a) => [a.id, a.attested]));
    let annHeld = 0;
    let attHeld = 0;
    for (const ev of this.deps.events()) {
      let has = anns.has(ev.id);
      if (has) remember(l, `announcement:${ev.id}`);
      if (anns.get(ev.id) === true) remember(l, `attestation:${ev.id}`);
      if (!has) {
        const r = await this.repost(l, 'announcement', ev.entity, `announcement:${ev.id}`);
        has = r !== null && r.status !== 'rejected';
        if (!has && r?.status === 'rejected' && r.code !== 'announcement-expired' && r.code !== 'maturity-too-far') ok = false;
      }
      if (has) annHeld++;
      if (!has || !ev.attestation) continue;
      if (anns.get(ev.id) === true) attHeld++;
      else {
        const r = await this.repost(l, 'attestation', ev.attestation, `attestation:${ev.id}`);
        if (r !== null && r.status !== 'rejected') attHeld++;
        else if (r !== null) ok = false;
      }
    }
    l.status.announcementsHeld = annHeld;
    l.status.attestationsHeld = attHeld;
    // 4. Rank.
    const target = this.cfg.rankTarget;
    if (target) {
      const top = await l.client.topOracles(target.question, target.top);
      const idx = top.findIndex((o) => o.pubkey === pk);
      l.status.rank = { position: idx < 0 ? null : idx + 1, top: target.top, question: target.question };
      // Outside a full top list: outrank its last entry. Absent from a shorter list, no capability
      // question of ours has the word, and no PoW can help.
      const last = top.length >= target.top ? top[top.length - 1] : undefined;
      if (idx < 0 && last) this.deps.onRankShort(last.pow.difficulty + 1);
    }
    return ok;
  }
}
