/** bench/lib/proc-mega.ts - one Mega node in its own process for bench/propagation-procs.ts: started from a config file (ports 0), answers connect/inject/status over IPC, reports each accepted oracle ad with its monotonic time. */
import { loadConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/log.ts';
import { MegaNode } from '../../src/node.ts';
import type { OracleId } from '../../src/protocol/types.ts';
import { emit, memory, monoMs, serve, tcpBytes } from './proc-child.ts';

const cfgPath = process.argv[2];
if (!cfgPath) throw new Error('usage: proc-mega.ts <config.json>');
const config = loadConfig(cfgPath);
const node = new MegaNode(config, { log: createLogger({ level: config.logLevel }) });

// The moment each oracle ad is stored here (the relay is driven by the same event).
node.service.on('mempool:accepted', (e: { kind: string; entity: unknown }) => {
  if (e.kind === 'oracle') emit('acc', { id: (e.entity as OracleId).pubkey, at: monoMs() });
});

serve({
  connect: (m) => {
    node.pool.connect('127.0.0.1', Number(m.port));
    return {};
  },
  inject: async (m) => {
    const body = JSON.parse(String(m.json)) as OracleId;
    const t0 = monoMs();
    const r = await node.service.admit('oracle', body);
    if (r.status !== 'accepted') throw new Error(`item not accepted: ${JSON.stringify(r)}`);
    return { t0 };
  },
  status: () => ({
    peers: node.pool.list().length,
    // Ports this node dialled and completed the handshake with: the parent re-dials an edge missing here.
    links: node.pool
      .list()
      .filter((p) => p.direction === 'outbound')
      .map((p) => Number(p.address.slice(p.address.lastIndexOf(':') + 1))),
    tcp: tcpBytes(),
    pool: node.pool.totals(),
    relay: { ...node.pool.relay.stats },
    lazyPending: node.pool.relay.lazyPending,
    mem: memory(),
  }),
  stop: async () => {
    await node.stop();
    setImmediate(() => process.exit(0));
    return {};
  },
});

await node.start();
emit('ready', { port: node.p2pPort });
