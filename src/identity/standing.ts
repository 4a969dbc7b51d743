/** identity/standing.ts - oracle standing: key-rotation links (old key -> new keys), the proof index (which keys have proofs against them), per-listing standing and reputation. Imports protocol, the service interface and the report classes; never api or p2p. */
import type { Dispute, OracleId, Report, ReportContent } from '../protocol/types.ts';
import { isProof } from '../mempool/report-class.ts';
import type { AcceptedEvent, EvictedEvent, StoredOracle } from '../service/service.ts';
import { MAX_ROTATION_DEPTH } from '../protocol/verify.ts';

/** What standing needs from the service (a structural subset of MegaService, so tests can pass a stub). */
export interface StandingSource {
  getOracle(pubkey: string): StoredOracle | undefined;
  /** Stored newer keys of a key (the mempool's rotation index), nearest first. */
  newerKeys(pubkey: string): string[];
  /** The stored oracle that keeps reports against a key. */
  reportHolder(pubkey: string): string;
  on(event: 'mempool:accepted', listener: (e: AcceptedEvent) => void): unknown;
  on(event: 'mempool:evicted', listener: (e: EvictedEvent) => void): unknown;
}

/** Reputation of one oracle key, counting every key of its rotation chain (GET /oracles/{pubkey}/reputation). */
export interface Reputation {
  pubkey: string;
  /** `local`: this node's stored reports (its shard); `network`: also those of peers storing other shards. */
  scope: 'local' | 'network';
  /** Stored reports against this key or any previous key, by content type. */
  reports: { total: number; byType: Record<ReportContent['type'], number> };
  /** Proof reports (fact-conflict, dlc-equivocation, dlc-nonce-reuse), verified at admission (self-proving). */
  verifiedConflicts: number;
  /** fact-missing reports the oracle answered with a valid signed fact, or whose announcement it attested. */
  disputedMissing: number;
  /** fact-missing reports without a dispute. */
  undisputedMissing: number;
  /** Work behind the reports: sum of difficulties, and expected hashes (sum of 2^difficulty). */
  reportPow: { difficultySum: number; expectedHashes: number };
  /** Older keys linked to this one by verified rotation links, newest first. */
  previousKeys: string[];
  /** Stored newer keys this key was rotated to (empty for a current key). */
  rotatedTo: string[];
  /** True when any key of the chain has a verified conflict. */
  conflicted: boolean;
}

/**
 * What every listing says about an oracle next to its signed message (docs/PROTOCOL.md 10.4), over
 * the key and every older key of its rotation chain. Node-computed: the signed bytes are untouched.
 */
export interface Standing {
  /** At least one proof (a self-proving report the node verified) against a key of the chain. */
  conflicted: boolean;
  /** Proofs kept against the chain's keys, including those kept after the oracle was evicted. */
  proofs: number;
  /** Claims not answered (fact-missing without a dispute, fact-disagrees-with-public). */
  openClaims: number;
  /** fact-missing reports the oracle answered with a valid signed fact. */
  answeredClaims: number;
}

/** One report counted by a reputation, with its dispute if any (the shape of GET /reports entries). */
export interface ReputationEntry {
  id: string;
  report: Report;
  dispute: Dispute | null;
  /** A fact-missing naming an announcement: the attestation that answered it (docs/PROTOCOL.md 8.3). */
  attestationId?: string;
}

/** The previous keys an ad links to, newest first (the embedded `previousId` chain, verified at admission). */
export function previousKeysOf(o: OracleId): string[] {
  const out: string[] = [];
  for (let p = o.previousId; p !== undefined && out.length <= MAX_ROTATION_DEPTH; p = p.previousId) out.push(p.pubkey);
  return out;
}

/**
 * Indexes kept in step with the mempool through the service's accepted/evicted events. Listeners
 * never throw (see MempoolEvents): everything here is map bookkeeping.
 */
export class OracleStanding {
  private readonly source: StandingSource;
  /** reported key -> ids of stored proofs against it (mempool/report-class.ts). Proofs outlive their oracle, so this outlives its eviction too. */
  private readonly conflicts = new Map<string, Set<string>>();
  /** proof report id -> reported key (eviction events carry only the id). */
  private readonly conflictTarget = new Map<string, string>();

  constructor(source: StandingSource) {
    this.source = source;
    source.on('mempool:accepted', (e) => this.onAccepted(e));
    source.on('mempool:evicted', (e) => this.onEvicted(e));
  }

  /** Every older key of `pubkey`, nearest first: its stored ad's verified previousId chain, then, transitively, the chains of stored older ads. */
  previousKeys(pubkey: string): string[] {
    // A key whose ad names no previous key (most): no chain to walk, no Set built (listings ask per entry).
    if (this.source.getOracle(pubkey)?.msg.previousId === undefined) return [];
    const seen = new Set<string>([pubkey]);
    const out: string[] = [];
    for (let i = -1; i < out.length && out.length < 64; i++) {
      const ad = this.source.getOracle(i < 0 ? pubkey : (out[i] as string));
      for (const p of ad ? previousKeysOf(ad.msg) : []) {
        if (!seen.has(p)) {
          seen.add(p);
          out.push(p);
        }
      }
    }
    return out;
  }

  /** Stored newer keys of `pubkey`, nearest first. */
  newerKeys(pubkey: string): string[] {
    return this.source.newerKeys(pubkey);
  }

  /** The stored oracle that keeps reports against `pubkey`, or undefined when none does. */
  reportHolder(pubkey: string): string | undefined {
    const h = this.source.reportHolder(pubkey);
    return this.source.getOracle(h) ? h : undefined;
  }

  /** Does `pubkey` or any of its previous keys have a verified conflict? O(chain length). */
  isConflicted(pubkey: string): boolean {
    if ((this.conflicts.get(pubkey)?.size ?? 0) > 0) return true;
    return this.previousKeys(pubkey).some((k) => (this.conflicts.get(k)?.size ?? 0) > 0);
  }

  /** The standing of `pubkey` over its rotation chain: proofs from the proof index, claims from the stored holders' counters. O(chain length). */
  standingOf(pubkey: string): Standing {
    let proofs = 0;
    let openClaims = 0;
    let answeredClaims = 0;
    for (const k of [pubkey, ...this.previousKeys(pubkey)]) {
      proofs += this.conflicts.get(k)?.size ?? 0;
      const o = this.source.getOracle(k);
      if (o) {
        openClaims += o.openClaims;
        answeredClaims += o.answeredClaims;
      }
    }
    return { conflicted: proofs > 0, proofs, openClaims, answeredClaims };
  }

  /** Reputation of `pubkey` over its whole rotation chain, from this node's stored reports (this shard's). */
  reputation(pubkey: string): Reputation {
    const previousKeys = this.previousKeys(pubkey);
    const reports: ReputationEntry[] = [];
    for (const k of [pubkey, ...previousKeys]) {
      const o = this.source.getOracle(k);
      if (!o) continue;
      for (const r of o.reports.values()) reports.push({ id: r.id, report: r.msg, dispute: r.dispute ? r.dispute.msg : null, attestationId: r.attestationId });
    }
    return this.summarize(pubkey, previousKeys, reports, 'local');
  }

  /**
   * Reputation of `pubkey` over its whole rotation chain from reports gathered elsewhere (GET
   * /reports?scope=network: this node's plus those of peers storing other shards, already
   * re-verified by the service). Entries are de-duplicated by id and counted only when they are
   * against a key of the chain.
   */
  reputationFrom(pubkey: string, reports: Iterable<ReputationEntry>, scope: Reputation['scope']): Reputation {
    return this.summarize(pubkey, this.previousKeys(pubkey), reports, scope);
  }

  private summarize(pubkey: string, previousKeys: string[], entries: Iterable<ReputationEntry>, scope: Reputation['scope']): Reputation {
    const chain = new Set([pubkey, ...previousKeys]);
    const reports = new Map<string, ReputationEntry>();
    for (const e of entries) {
      // A holder keeps reports against itself and against its older keys; count only the chain's.
      if (chain.has(e.report.oraclePubKey) && !reports.has(e.id)) reports.set(e.id, e);
    }
    const byType: Reputation['reports']['byType'] = { 'fact-conflict': 0, 'fact-missing': 0, 'fact-disagrees-with-public': 0, 'dlc-equivocation': 0, 'dlc-nonce-reuse': 0 };
    let proofs = 0;
    let disputedMissing = 0;
    let difficultySum = 0;
    let expectedHashes = 0;
    for (const r of reports.values()) {
      byType[r.report.content.type]++;
      if (isProof(r.report)) proofs++;
      if (r.report.content.type === 'fact-missing' && (r.dispute || r.attestationId !== undefined)) disputedMissing++;
      difficultySum += r.report.pow.difficulty;
      expectedHashes += 2 ** r.report.pow.difficulty;
    }
    return {
      pubkey,
      scope,
      reports: { total: reports.size, byType },
      verifiedConflicts: proofs,
      disputedMissing,
      undisputedMissing: byType['fact-missing'] - disputedMissing,
      reportPow: { difficultySum, expectedHashes },
      previousKeys,
      rotatedTo: this.newerKeys(pubkey),
      conflicted: proofs > 0,
    };
  }

  // ---- event bookkeeping -------------------------------------------------------------------------

  private onAccepted(e: AcceptedEvent): void {
    if (e.kind === 'report') {
      const r = e.entity as Report;
      if (!isProof(r) || this.conflictTarget.has(e.id)) return;
      this.conflictTarget.set(e.id, r.oraclePubKey);
      let set = this.conflicts.get(r.oraclePubKey);
      if (!set) this.conflicts.set(r.oraclePubKey, (set = new Set()));
      set.add(e.id);
    }
  }

  private onEvicted(e: EvictedEvent): void {
    if (e.kind === 'report') {
      const target = this.conflictTarget.get(e.id);
      if (target === undefined) return;
      this.conflictTarget.delete(e.id);
      const set = this.conflicts.get(target);
      set?.delete(e.id);
      if (set?.size === 0) this.conflicts.delete(target);
    }
  }
}
