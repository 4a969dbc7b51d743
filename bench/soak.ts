// bench/soak.ts - memory soak (npm run soak [-- --seconds N]): a node in a child process with the default config (temp data dir, free ports, shard 0 of 2 so out-of-shard reports are relayed, regtest magic) gets a mixed valid and hostile stream for N seconds (default 180): valid ads, capabilities and reports by REST and P2P, max-size valid out-of-shard reports, garbage and oversize frames, many idle connections. Prints the child's peak RSS (VmHWM) against the documented ceiling (docs/security.md, Limits) and exits 1 if it was exceeded.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Report } from '../src/protocol/types.ts';
import { CONFIG_SCHEMA } from '../src/config/schema.ts';
import { NETWORK_MAGIC } from '../src/wire/constants.ts';
import { makeCapability, makeKeys, makeOracle, makeReport, type KeyPair } from '../test/helpers/factory.ts';
import { freePort, RawPeer } from '../test/helpers/network.ts';

/** The memory ceiling of a node with the default config, from docs/security.md (Limits). */
const CEILING_BYTES = 3_300 * 1024 * 1024;
/** Idle connections held open at once (the default maxConnections is 64; a few slots stay free for the streams). */
const IDLE_CONNECTIONS = 48;

const secondsArg = process.argv.indexOf('--seconds');
const seconds = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 180;
if (!(seconds > 0)) throw new Error('--seconds must be a positive number');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-soak-'));
const httpPort = await freePort();
const p2pPort = await freePort();
const config: Record<string, unknown> = Object.fromEntries(Object.entries(CONFIG_SCHEMA).map(([k, s]) => [k, s.default]));
Object.assign(config, { network: 'regtest', httpPort, p2pPort, listenAddress: '127.0.0.1', dataDir: path.join(dir, 'data'), shard: { count: 2, index: 0 }, logLevel: 'warn', p2pseed: [] });
const configPath = path.join(dir, 'config.json');
fs.writeFileSync(configPath, JSON.stringify(config));

const child = spawn(process.execPath, ['--import', 'tsx', 'app.ts', configPath], { stdio: ['ignore', 'ignore', 'inherit'] });
const deadline = Date.now() + seconds * 1000;
let peak = 0;
const peakOf = (): number => {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : peak;
  } catch {
    return peak; // exited
  }
};
const counts = { restValid: 0, restBig: 0, p2pValid: 0, hostileFrames: 0, connections: 0, errors: 0 };
const base = `http://127.0.0.1:${httpPort}`;
const post = async (p: string, body: unknown): Promise<number> => (await fetch(base + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status;

// Wait for the node to answer.
for (;;) {
  if (Date.now() > deadline) throw new Error('the node did not start');
  try {
    if ((await fetch(`${base}/health`)).status === 200) break;
  } catch {
    /* not up yet */
  }
  await new Promise((r) => setTimeout(r, 200));
}

/** A valid report of close to the 1 MiB body limit: an embedded signed capability with 14 parameters of 256 values. */
function maxReport(oracle: KeyPair, cap: KeyPair, key: string): Report {
  const params = Array.from({ length: 14 }, (_, p) => ({ name: `p${p}`, values: Array.from({ length: 256 }, (_, i) => `${p}-${i}-`.padEnd(250, 'v')) }));
  const capability = makeCapability({ oracleKeys: oracle, capKeys: cap, question: 'soak {p0}', params });
  return makeReport({ type: 'fact-disagrees-with-public', oraclePubKey: oracle.publicKey, capKeys: cap, args: { key }, capability, comment: 'soak' });
}

const live = (): boolean => Date.now() < deadline && child.exitCode === null;
let seed = 1_000_000;

async function restValid(): Promise<void> {
  while (live()) {
    const o = makeKeys(seed++);
    const c = makeKeys(seed++);
    await post('/oracle', makeOracle({ keys: o }));
    await post('/capability', makeCapability({ oracleKeys: o, capKeys: c, question: `soak question ${seed}` }));
    await post('/report', makeReport({ type: 'fact-missing', oraclePubKey: o.publicKey, capKeys: c, args: { n: String(seed) } }));
    counts.restValid += 3;
  }
}

async function restBig(): Promise<void> {
  const o = makeKeys(7);
  const c = makeKeys(8);
  await post('/oracle', makeOracle({ keys: o }));
  for (let i = 0; live(); i++) {
    await post('/report', maxReport(o, c, `${i}`));
    counts.restBig++;
  }
}

let nextAddr = 0;
const source = (): string => `127.${20 + ((nextAddr >> 16) & 63)}.${(nextAddr >> 8) & 255}.${nextAddr++ & 255}`;

async function p2pValid(): Promise<void> {
  while (live()) {
    const p = await RawPeer.connect(p2pPort, { localAddress: source() });
    try {
      await p.handshake();
      for (let i = 0; i < 50 && live(); i++) {
        const o = makeKeys(seed++);
        p.send('oracle', makeOracle({ keys: o }));
        p.send('capability', makeCapability({ oracleKeys: o, capKeys: makeKeys(seed++), question: `p2p soak ${seed}` }));
        counts.p2pValid += 2;
      }
    } finally {
      p.socket.destroy();
    }
  }
}

async function hostile(): Promise<void> {
  while (live()) {
    const p = await RawPeer.connect(p2pPort, { localAddress: source() });
    try {
      await p.handshake();
      const kind = counts.hostileFrames % 3;
      if (kind === 0) p.write(Buffer.from(Array.from({ length: 4096 }, () => Math.floor(Math.random() * 256)))); // garbage
      else if (kind === 1) {
        const h = Buffer.alloc(24); // a header declaring 64 MiB: refused before any payload is buffered
        NETWORK_MAGIC.regtest.copy(h, 0);
        h.write('report', 4, 'ascii');
        h.writeUInt32LE(64 * 1024 * 1024, 16);
        p.write(h);
        p.write(Buffer.alloc(512 * 1024, 1));
      } else p.send('report', { hostile: 'x'.repeat(100_000) }); // schema-invalid payload
      counts.hostileFrames++;
      await p.waitClosed(2000).catch(() => undefined);
    } catch {
      counts.errors++;
    } finally {
      p.socket.destroy();
    }
  }
}

async function idleConnections(): Promise<void> {
  const held: RawPeer[] = [];
  while (live()) {
    while (held.length < IDLE_CONNECTIONS && live()) {
      try {
        const p = await RawPeer.connect(p2pPort, { localAddress: source() });
        p.autoPong = true;
        await p.handshake();
        held.push(p);
        counts.connections++;
      } catch {
        counts.errors++;
        break;
      }
    }
    // Recycle a quarter of them, so connection state is created and freed all along.
    for (const p of held.splice(0, IDLE_CONNECTIONS / 4)) p.socket.destroy();
    await new Promise((r) => setTimeout(r, 1000));
  }
  for (const p of held) p.socket.destroy();
}

const sampler = setInterval(() => {
  peak = peakOf();
  const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
  process.stdout.write(`soak: ${left}s left, peak RSS ${(peak / 1048576).toFixed(0)} MiB, ${JSON.stringify(counts)}\n`);
}, 10_000);

const guard = (p: Promise<void>): Promise<void> => p.catch((e: unknown) => { counts.errors++; process.stderr.write(`soak stream failed: ${String(e)}\n`); });
await Promise.all([restValid(), restBig(), p2pValid(), hostile(), idleConnections()].map(guard));
clearInterval(sampler);
peak = peakOf();
const crashed = child.exitCode !== null;
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
fs.rmSync(dir, { recursive: true, force: true });
const mib = (n: number): string => `${(n / 1048576).toFixed(0)} MiB`;
process.stdout.write(`soak done after ${seconds}s: peak RSS ${mib(peak)} (ceiling ${mib(CEILING_BYTES)}); ${JSON.stringify(counts)}${crashed ? '; THE NODE EXITED' : ''}\n`);
process.exit(crashed || peak > CEILING_BYTES ? 1 : 0);
