/** p2p/requests.ts - the relay's outstanding `getdata` requests (docs/PROTOCOL.md 11.7): each version asked of one peer at a time, the other announcers kept as alternates, cTTL probes, and the progress-based timeout that asks the next announcer and charges the silent peer. Owned by relay.ts; imports wire types only. */
import type { Logger } from '../log.ts';
import { LruMap } from '../util/lru.ts';
import { Repeating } from '../util/repeating.ts';
import { GETDATA_CHECK_INTERVAL_MS, MAX_CTTL_PROBES_PER_PEER, MAX_CTTL_PROBES_REMEMBERED, MAX_IN_FLIGHT, STALL_BAN_SCORE } from './constants.ts';
import type { Peer } from './peer.ts';
import type { RelayStats } from './relay-stats.ts';

/** A getdata outstanding for one version. */
export interface InFlight {
  peer: number;
  /** When it was asked. */
  at: number;
}

/** A request older than this many getdata timeouts is forgotten even if the timeout timer never ran (the map's former TTL). */
const IN_FLIGHT_TTL_FACTOR = 4;

/** Most alternate announcers remembered per in-flight item. */
const MAX_ALTERNATES = 4;

/** What the requests use of the relay around them. */
export interface RequestsDeps {
  log: Logger;
  now: () => number;
  /** A request to a peer that delivered nothing since for this long is asked of another announcer. */
  timeoutMs: number;
  /** The relay's counters (the very object, not a copy). */
  stats: RelayStats;
  /** Does the service know the version (stored, waiting in the intake or recently decided)? */
  knowsVersion: (vid: string) => boolean;
  /** Is the version held here at cTTL 0, so that a copy with a higher cTTL is worth one request? */
  heldAtZero: (vid: string) => boolean;
}

/** Outstanding getdata by short version id; every map and set is bounded by count (MAX_IN_FLIGHT, MAX_CTTL_PROBES_*) or by the peers. */
export class Requests {
  private readonly deps: RequestsDeps;
  private readonly timeoutMs: number;
  /**
   * vid -> the peer it was requested from and when (so it is fetched once). A request older than
   * IN_FLIGHT_TTL_FACTOR timeouts counts as gone ({@link inFlightOf}): the timer times requests out,
   * this only bounds what a stopped timer would leave behind. Checked from `at` rather than by a TTL
   * of the map: no wrapper object and no clock read per request.
   */
  private readonly inFlight = new LruMap<string, InFlight>(MAX_IN_FLIGHT);
  /** vid -> other peers that announced it while it was in flight (asked next if the first fails). */
  private readonly alternates: LruMap<string, Peer[]>;
  /** Versions requested from each peer, so a peer that leaves frees them at once. */
  private readonly requestedFrom = new Map<Peer, Set<string>>();
  /**
   * Stored versions re-requested from a peer only to learn a higher cTTL (we hold them at cTTL 0, so
   * we relay them nowhere; the peer announced them, so it may hold a higher cTTL), per peer. Their
   * answers are matched by version hash and never admitted again (no signature work).
   */
  private readonly probes = new Map<Peer, Set<string>>();
  /** `peerId/vid` pairs already probed: each announcer is asked once per version (bounded by count; entries are ~30-byte strings). */
  private readonly probed = new LruMap<string, true>(MAX_CTTL_PROBES_REMEMBERED);
  /** The timeout checks (start/close). */
  private readonly checks: Repeating;

  constructor(deps: RequestsDeps) {
    this.deps = deps;
    this.timeoutMs = deps.timeoutMs;
    // The timer times requests out; the TTLs (inFlight's by inFlightOf) only bound what a stopped timer would leave behind.
    this.alternates = new LruMap(MAX_IN_FLIGHT, 4 * this.timeoutMs, deps.now);
    this.checks = new Repeating(
      () => this.checkTimeouts(),
      (err) => deps.log.error({ err }, 'bug in getdata timeout check'),
    );
  }

  /** Start the timeout checks. Lifecycle: start() once; close() stops them. */
  start(): void {
    this.checks.start(Math.min(GETDATA_CHECK_INTERVAL_MS, this.timeoutMs));
  }

  /** Stop the timeout checks. */
  close(): void {
    this.checks.stop();
  }

  /** The request outstanding for `vid`, unless it is older than IN_FLIGHT_TTL_FACTOR timeouts (then forgotten). */
  inFlightOf(vid: string, now: number): InFlight | undefined {
    const f = this.inFlight.get(vid);
    if (f !== undefined && now - f.at >= IN_FLIGHT_TTL_FACTOR * this.timeoutMs) {
      this.inFlight.delete(vid);
      return undefined;
    }
    return f;
  }

  /** `peer` announced `vid`, which another peer is delivering: ask it next if that one never does. */
  addAlternate(vid: string, peer: Peer): void {
    const alt = this.alternates.get(vid) ?? [];
    if (alt.length < MAX_ALTERNATES && !alt.includes(peer)) alt.push(peer);
    this.alternates.set(vid, alt);
  }

  /** May `vid` be re-requested from `peer` for its cTTL? Once per (peer, version), a bounded number outstanding per peer. */
  mayProbe(peer: Peer, vid: string): boolean {
    const key = `${peer.id}/${vid}`;
    if (this.probed.has(key) || (this.probes.get(peer)?.size ?? 0) >= MAX_CTTL_PROBES_PER_PEER) return false;
    this.probed.set(key, true);
    return true;
  }

  /** Ask `peer` for `vid` (the caller sends the getdata); `probe`: heldAtZero(vid), when the caller has just worked it out. */
  request(peer: Peer, vid: string, probe = this.deps.heldAtZero(vid), now = this.deps.now()): void {
    this.inFlight.set(vid, { peer: peer.id, at: now });
    let set = this.requestedFrom.get(peer);
    if (!set) this.requestedFrom.set(peer, (set = new Set()));
    set.add(vid);
    if (probe) {
      let p = this.probes.get(peer);
      if (!p) this.probes.set(peer, (p = new Set()));
      p.add(vid);
    }
  }

  /** Is any getdata of ours outstanding at `peer`? (Then what it sends now is most likely an answer, not a push.) */
  awaiting(peer: Peer): boolean {
    return (this.requestedFrom.get(peer)?.size ?? 0) > 0;
  }

  /** The cTTL probes outstanding at `peer`, if any. */
  probesOf(peer: Peer): Set<string> | undefined {
    return this.probes.size > 0 ? this.probes.get(peer) : undefined;
  }

  /** `peer` delivered `vid`: the request and its alternates are done. True when `vid` had been asked of `peer` and not answered, refused or given up on yet. */
  answered(vid: string, peer: Peer): boolean {
    const asked = this.clear(vid, peer);
    if (this.alternates.size > 0) this.alternates.delete(vid);
    return asked;
  }

  /** Forget a request to `peer` (answered, refused, timed out or the peer left); true when one was outstanding. */
  private clear(vid: string, peer: Peer): boolean {
    // An expired request is deleted as well: gone either way.
    if (this.inFlight.get(vid)?.peer === peer.id) this.inFlight.delete(vid);
    const asked = this.requestedFrom.get(peer)?.delete(vid) === true;
    if (this.probes.size > 0) this.probes.get(peer)?.delete(vid);
    return asked;
  }

  /** A peer left: what was requested from it is asked of another announcer. */
  dropPeer(peer: Peer): void {
    this.probes.delete(peer);
    const requested = this.requestedFrom.get(peer);
    this.requestedFrom.delete(peer);
    for (const v of requested ?? []) this.retryElsewhere(v, peer);
  }

  /**
   * Requests to a peer that delivered nothing (no entity, no notfound) for the timeout since they
   * were made are asked of the next announcer, and the peer earns STALL_BAN_SCORE once per check
   * (#12 item 8: announce-and-never-serve). Progress-based: a peer still streaming our large
   * getdata (sync on join) delivers all along and never times out.
   */
  private checkTimeouts(): void {
    const now = this.deps.now();
    for (const [peer, set] of [...this.requestedFrom]) {
      if (set.size === 0 || now - peer.lastDeliveryAt < this.timeoutMs) continue;
      const stalled: string[] = [];
      let dropped = 0;
      for (const vid of set) {
        const f = this.inFlightOf(vid, now);
        if (f === undefined || f.peer !== peer.id) {
          set.delete(vid);
          this.probes.get(peer)?.delete(vid);
          dropped++;
        } else if (now - f.at >= this.timeoutMs) stalled.push(vid);
      }
      // Requests given up on: answers to them, if they still come, draw on the peer's rate bucket again (peer.ts solicited).
      peer.unsolicit(dropped + stalled.length);
      if (stalled.length === 0) continue;
      this.deps.stats.getDataTimeouts += stalled.length;
      this.deps.log.debug({ peer: `${peer.ip}:${peer.remotePort}`, versions: stalled.length }, 'getdata timed out; asking other announcers');
      for (const vid of stalled) this.retryElsewhere(vid, peer);
      if (!peer.isClosed) peer.misbehave(STALL_BAN_SCORE, 'getdata-timeout');
    }
  }

  /** A request to `failed` will not be answered (notfound, timeout, the peer left): ask the next peer that announced it, if any. */
  retryElsewhere(vid: string, failed: Peer): void {
    this.clear(vid, failed);
    const alt = this.alternates.get(vid);
    if (!alt || (this.deps.knowsVersion(vid) && !this.deps.heldAtZero(vid))) return;
    while (alt.length) {
      const next = alt.shift() as Peer;
      if (next === failed || next.isClosed || !next.isReady) continue;
      this.request(next, vid);
      this.deps.stats.getDataSent++;
      this.deps.stats.getDataItemsSent++;
      next.send({ command: 'getdata', payload: { items: [vid] } });
      return;
    }
    this.alternates.delete(vid);
  }
}
