/** bench/lib/proc-libp2p.ts - one js-libp2p gossipsub node in its own process for bench/propagation-procs.ts: TCP + Noise + Yamux + identify + gossipsub with its default parameters, subscribed to one topic; answers connect/inject/status over IPC and reports each delivered message with its monotonic time. */
import { emit, memory, monoMs, serve, tcpBytes } from './proc-child.ts';

// libp2p 3 calls Promise.withResolvers (Node >= 22); the project runs on Node 20. This is the standard
// definition of that function (ES2024), added only when missing, before libp2p is loaded.
const P = Promise as unknown as { withResolvers?: () => unknown };
P.withResolvers ??= function withResolvers<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
};

const { createLibp2p } = await import('libp2p');
const { tcp } = await import('@libp2p/tcp');
const { noise } = await import('@libp2p/noise');
const { yamux } = await import('@libp2p/yamux');
const { identify } = await import('@libp2p/identify');
const { gossipsub } = await import('@libp2p/gossipsub');
const { multiaddr } = await import('@multiformats/multiaddr');

export const TOPIC = 'mega-bench-oracles';

const node = await createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: { identify: identify(), pubsub: gossipsub() }, // gossipsub defaults: D 6, Dlo 4, Dhi 12, Dlazy 6, heartbeat 1 s, floodPublish, StrictSign
  // Connection set-up limits only (no gossip parameter): every node dials from 127.0.0.1, and libp2p by default
  // refuses more than 5 inbound connections per second from one host and 10 pending, gives a dial or upgrade 10 s, and
  // closes a connection whose 10 s ping fails — which, with 100 processes on 2 shared cores, kept the graph from
  // ever being complete. (Mega exempts loopback from its per-address limits the same way, `limitLoopback` false.)
  connectionManager: { inboundConnectionThreshold: 1000, maxIncomingPendingConnections: 1000, dialTimeout: 60_000, inboundUpgradeTimeout: 60_000 },
  connectionMonitor: { abortConnectionOnPingFailure: false },
});
const pubsub = node.services.pubsub;
// The implementation class has getMeshPeers; the factory's interface type does not list it.
const meshPeers = (): number => (pubsub as unknown as { getMeshPeers(topic: string): string[] }).getMeshPeers(TOPIC).length;
pubsub.subscribe(TOPIC);
const decoder = new TextDecoder();
pubsub.addEventListener('message', (e) => {
  if (e.detail.topic !== TOPIC) return;
  const at = monoMs();
  // The item is the oracle ad's JSON; its pubkey names it (as the Mega runner reports it).
  emit('acc', { id: (JSON.parse(decoder.decode(e.detail.data)) as { pubkey: string }).pubkey, at });
});

serve({
  connect: async (m) => {
    await node.dial(multiaddr(String(m.addr)), { signal: AbortSignal.timeout(60_000) });
    return {};
  },
  // The parent's mesh repair: an edge whose stream set-up failed under load stays connected without a gossipsub
  // subscription exchange (the node then has no topic peer on it). Hang up and dial again.
  redial: async (m) => {
    const addr = multiaddr(String(m.addr));
    const peer = String(m.addr).split('/p2p/')[1];
    for (const c of node.getConnections()) if (c.remotePeer.toString() === peer) await c.close().catch(() => undefined);
    await node.dial(addr, { signal: AbortSignal.timeout(60_000) });
    return {};
  },
  inject: async (m) => {
    const data = new TextEncoder().encode(String(m.json));
    const t0 = monoMs();
    const r = await pubsub.publish(TOPIC, data);
    return { t0, recipients: r.recipients.length };
  },
  status: () => ({
    peers: node.getConnections().length,
    // Peer ids this node is connected to: the parent re-dials an edge missing here.
    links: node.getConnections().map((c) => c.remotePeer.toString()),
    mesh: meshPeers(),
    topicPeers: pubsub.getSubscribers(TOPIC).length,
    subscribers: pubsub.getSubscribers(TOPIC).map((p) => p.toString()),
    tcp: tcpBytes(),
    mem: memory(),
  }),
  stop: async () => {
    await node.stop();
    setImmediate(() => process.exit(0));
    return {};
  },
});

emit('ready', { addr: node.getMultiaddrs()[0]?.toString() });
