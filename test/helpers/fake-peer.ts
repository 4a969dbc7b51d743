/** test/helpers/fake-peer.ts - a socket-less stand-in for p2p/peer.ts Peer with only the members relay.ts and sync.ts touch (id, address, known inventory, eager/lazy relay state, readiness, send, batch, send backlog and drain, hold, misbehave); records what was sent. */
import type { Peer } from '../../src/p2p/peer.ts';
import { LruSet } from '../../src/util/lru.ts';
import { ENTITY_COMMANDS, type WireMessage } from '../../src/wire/messages.ts';

let nextFakeId = 1_000_000;

/** A peer whose socket is a list: `sent` records every message, `sendBacklog` is set by the test (or grown per send) and {@link drain} empties it. */
export class FakePeer {
  readonly id = nextFakeId++;
  readonly ip: string;
  readonly remotePort: number;
  readonly known = new LruSet<string>(10_000);
  readonly sent: WireMessage[] = [];
  readonly misbehaved: { score: number; reason: string }[] = [];
  readonly holds: boolean[] = [];
  isReady = true;
  isClosed = false;
  /** Relay state owned by p2p/relay.ts (Peer.eager). */
  eager = true;
  /** Unsent bytes as the relay sees them. */
  sendBacklog = 0;
  /** Bytes added to {@link sendBacklog} by every send (0 = the socket drains at once). */
  bytesPerSend = 0;
  lastMempoolServed = 0;
  private waiters: { highWater: number; resolve: () => void }[] = [];

  constructor() {
    this.ip = `10.0.${Math.floor(this.id / 250) % 250}.${this.id % 250}`;
    this.remotePort = 8000 + (this.id % 1000);
  }

  /** Messages offered after close (a real peer drops them; the module should not even try). */
  sentAfterClose = 0;

  /** Record the message (false once closed, like a real peer). */
  send(msg: WireMessage): boolean {
    if (this.isClosed) {
      this.sentAfterClose++;
      return false;
    }
    this.sent.push(msg);
    this.sendBacklog += this.bytesPerSend;
    return true;
  }

  /** Calls of {@link batch} (a real peer corks its socket for them). */
  batches = 0;

  /** Run `fn` as one batch of sends (counted; the real peer writes them in one writev). */
  batch<T>(fn: () => T): T {
    this.batches++;
    return fn();
  }

  /** Resolves once {@link sendBacklog} is below `highWater` (at once if it already is, or the peer closed). */
  whenDrained(highWater: number): Promise<void> {
    if (this.isClosed || this.sendBacklog < highWater) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ highWater, resolve }));
  }

  /** The socket wrote out its buffer down to `to` bytes: wake the waiters now below their mark. */
  drain(to = 0): void {
    this.sendBacklog = to;
    const ready = this.waiters.filter((w) => this.sendBacklog < w.highWater);
    this.waiters = this.waiters.filter((w) => this.sendBacklog >= w.highWater);
    for (const w of ready) w.resolve();
  }

  /** Close: wakes every waiter, as a real peer's 'peer:close' does. */
  close(): void {
    this.isClosed = true;
    this.isReady = false;
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  /** Number of drain waiters (a paced sender waits on exactly one). */
  get waiting(): number {
    return this.waiters.length;
  }

  hold(on: boolean): void {
    this.holds.push(on);
  }

  misbehave(score: number, reason: string): void {
    this.misbehaved.push({ score, reason });
  }

  /** The commands sent, in order. */
  commands(): string[] {
    return this.sent.map((m) => m.command);
  }

  /** Short ids carried by every sent message of `command` (inv, getdata, notfound), in order. */
  itemsOf(command: 'inv' | 'getdata' | 'notfound'): string[] {
    const out: string[] = [];
    for (const m of this.sent) if (m.command === command) out.push(...(m.payload as { items: string[] }).items);
    return out;
  }

  /** Payloads of the entity messages sent (pushes and getdata answers), in order. */
  entities(): unknown[] {
    return this.sent.filter((m) => ENTITY_COMMANDS.has(m.command)).map((m) => m.payload);
  }

  /** Typed as the real Peer for the module under test (which only touches the members above). */
  asPeer(): Peer {
    return this as unknown as Peer;
  }
}

/** Resolve after pending immediates and microtasks have run (relay flushes inv on setImmediate). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
