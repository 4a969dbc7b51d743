/** cli/commands/watch.ts - `mega watch`: follow a node's live feed (/events) filtered to an oracle, an announcement or a question word, one JSON line per event; reconnects and resumes from the last event seen, and says when events were missed. Imports ws and cli. */
import WebSocket from 'ws';
import { defineCommand } from '../command.ts';
import { formatOptions, HELP_ROW } from '../help.ts';
import { CliError, EXIT } from '../errors.ts';
import { DEFAULT_NODE, NODE_ENV, nodeUrl } from './post.ts';

const HELP = `usage: mega watch [--oracle <pubkey>] [--announcement <id>] [--question <word>] [--events <names>]
                  [--until <event>] [--count <n>] [--node <url>]

Follow a node's live feed (the /events WebSocket, PROTOCOL.md and the OpenAPI /events entry), one
JSON event per line on stdout. Filters narrow it: an oracle's events, an announcement (its
attestation and any proof naming it), capabilities whose question has a word, or event names
(comma-separated: mempool:accepted, mempool:evicted, announcement:accepted, attestation:accepted,
report:proof, peer:connect, peer:disconnect, peer:relay). When the connection drops, watch reconnects (1 s, then
up to 30 s apart) and resumes after the last event it printed; if the node no longer holds some of
them (restart, too old), a note on stderr says so: list again to be sure nothing was missed.

options:
${formatOptions([
  ['--oracle <pubkey>', 'only events of this oracle'],
  ['--announcement <id>', 'only this announcement, its attestation and proofs naming it'],
  ['--question <word>', 'only capabilities whose question has this word'],
  ['--events <names>', 'only these event names (comma-separated)'],
  ['--until <event>', 'exit 0 after the first event of this name (e.g. attestation:accepted)'],
  ['--count <n>', 'exit 0 after n events'],
  ['--node <url>', `the node's base URL (default $${NODE_ENV}, else ${DEFAULT_NODE})`],
  HELP_ROW,
])}

examples:
  mega watch --announcement 5f1c... --until attestation:accepted
  mega watch --oracle 02ab... --events report:proof,mempool:accepted
`;

/** `mega watch`. */
export const watchCommand = defineCommand({
  name: 'watch',
  help: HELP,
  options: { oracle: { type: 'string' }, announcement: { type: 'string' }, question: { type: 'string' }, events: { type: 'string' }, until: { type: 'string' }, count: { type: 'string' }, node: { type: 'string' } },
  async run({ opts }, io) {
    const base = nodeUrl(opts, io);
    const query = new URLSearchParams();
    const oracle = opts.pubkey('oracle');
    if (oracle !== undefined) query.set('oracle', oracle);
    for (const k of ['announcement', 'question', 'events'] as const) {
      const v = opts.str(k);
      if (v !== undefined) query.set(k, v);
    }
    const until = opts.str('until');
    const count = opts.int('count', 0, 0, Number.MAX_SAFE_INTEGER);
    const url = new URL('events', base);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    let printed = 0;
    let epoch: string | null = null;
    let lastSeq: number | null = null;
    let delayMs = 1000;
    let stop: ((code: number) => void) | null = null;
    const done = new Promise<number>((resolve) => (stop = resolve));
    const finish = (code: number): void => stop?.(code);
    const removeInterrupt = io.onInterrupt(() => finish(EXIT.CANCELLED));
    let ws: WebSocket | null = null;
    let timer: NodeJS.Timeout | null = null;
    const connect = (): void => {
      const u = new URL(url);
      u.search = query.toString();
      if (epoch !== null && lastSeq !== null) {
        u.searchParams.set('since', String(lastSeq));
        u.searchParams.set('epoch', epoch);
      }
      const socket = new WebSocket(u);
      ws = socket;
      socket.on('unexpected-response', (_req, res) => {
        const why = String(res.headers['x-mega-error'] ?? '');
        socket.terminate();
        if (res.statusCode === 400) {
          io.err(`${why}\n`);
          finish(EXIT.USAGE);
        }
      });
      socket.on('message', (raw) => {
        let e: { event?: string; seq?: number; epoch?: string; resume?: { complete: boolean } };
        try {
          e = JSON.parse(String(raw)) as typeof e;
        } catch {
          return;
        }
        if (e.event === 'hello') {
          delayMs = 1000;
          if (e.resume && !e.resume.complete) io.err('note: some events were missed while disconnected (the node restarted or no longer holds them); list again to be sure\n');
          if (epoch !== e.epoch) lastSeq = e.seq ?? 0;
          epoch = e.epoch ?? null;
          return;
        }
        if (typeof e.seq === 'number') lastSeq = e.seq;
        io.out(`${JSON.stringify(e)}\n`);
        printed += 1;
        if ((until !== undefined && e.event === until) || (count > 0 && printed >= count)) finish(EXIT.OK);
      });
      socket.on('error', () => undefined);
      socket.on('close', () => {
        if (ws !== socket) return;
        timer = setTimeout(connect, delayMs);
        delayMs = Math.min(delayMs * 2, 30_000);
      });
    };
    connect();
    const code = await done;
    removeInterrupt();
    if (timer) clearTimeout(timer);
    const last = ws as WebSocket | null;
    ws = null;
    last?.terminate();
    if (code === EXIT.USAGE) throw new CliError('the node refused the filters', EXIT.USAGE);
    return code;
  },
});
