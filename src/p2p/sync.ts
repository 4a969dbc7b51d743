/** p2p/sync.ts - sync on join and anti-entropy: answer `mempool` with the whole inventory in bounded, paced inv batches; ask a random peer periodically. Imports wire and the service interface. */
import type { MegaService } from '../service/service.ts';
import { MAX_INV_ITEMS } from '../wire/constants.ts';
import type { InvItem } from '../wire/messages.ts';
import type { Logger } from '../log.ts';
import { MEMPOOL_REQUEST_MIN_INTERVAL_MS, SYNC_HIGH_WATER_BYTES } from './constants.ts';
import type { Peer } from './peer.ts';
import { Repeating } from '../util/repeating.ts';

/** Collaborators of sync. */
export interface SyncDeps {
  service: Pick<MegaService, 'inventory'>;
  readyPeers: () => Peer[];
  log: Logger;
  now?: () => number;
}

/** Sync on join and periodic anti-entropy. */
export class Sync {
  private readonly deps: SyncDeps;
  private readonly now: () => number;
  /** Anti-entropy: every round asks one random ready peer for its inventory. */
  private readonly rounds = new Repeating(
    () => {
      const peers = this.deps.readyPeers();
      const peer = peers[Math.floor(Math.random() * peers.length)];
      if (peer) this.requestInventory(peer);
    },
    (err) => this.deps.log.error({ err }, 'anti-entropy round failed'),
  );
  private readonly serving = new Set<Peer>();

  constructor(deps: SyncDeps) {
    this.deps = deps;
    this.now = deps.now ?? Date.now;
  }

  /** Start anti-entropy: every `intervalMs`, ask one random peer for its inventory. */
  start(intervalMs: number): void {
    this.rounds.start(intervalMs);
  }

  /** Stop the anti-entropy timer. */
  stop(): void {
    this.rounds.stop();
  }

  /** Ask a peer for its whole inventory (it answers with inv batches; relay fetches what we lack). */
  requestInventory(peer: Peer): void {
    peer.send({ command: 'mempool', payload: null });
  }

  /** `mempool` from a peer: stream our inventory as inv batches, pausing while its send buffer is full. */
  handleMempool(peer: Peer): void {
    const now = this.now();
    // A full inventory is costly: one at a time per peer, and not more often than the minimum interval.
    if (this.serving.has(peer) || now - peer.lastMempoolServed < MEMPOOL_REQUEST_MIN_INTERVAL_MS) return;
    peer.lastMempoolServed = now;
    this.serving.add(peer);
    const items: InvItem[] = [];
    for (const e of this.deps.service.inventory()) {
      // Sync is relay too: an item at its hop limit stays where it is (disputes carry no cTTL).
      if (e.cTTL !== null && e.cTTL <= 0) continue;
      items.push(e.version); // the stored short version id: nothing to hash or encode per item
    }
    void this.stream(peer, items).finally(() => this.serving.delete(peer));
  }

  private async stream(peer: Peer, items: InvItem[]): Promise<void> {
    try {
      for (let i = 0; i < items.length && !peer.isClosed; i += MAX_INV_ITEMS) {
        await peer.whenDrained(SYNC_HIGH_WATER_BYTES);
        if (peer.isClosed) return;
        const batch = items.slice(i, i + MAX_INV_ITEMS);
        for (const vid of batch) peer.known.add(vid);
        peer.send({ command: 'inv', payload: { items: batch } });
      }
    } catch (err) {
      this.deps.log.error({ err }, 'inventory stream failed');
    }
  }
}
