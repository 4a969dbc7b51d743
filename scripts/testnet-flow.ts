// scripts/testnet-flow.ts - opt-in, NOT in CI (these machines cannot reach a testnet): the make / take / settle flow of test/e2e/trader-daemon.test.ts against a real bitcoind JSON-RPC on testnet or signet. Starts two mega-traders (maker, taker) on the given nodes and bitcoind, waits until you fund both wallets, makes an offer on the given announcement with the maker, waits until the taker's node holds it, takes it with the taker, then follows both contracts until they close (attestation -> CET, or the refund after its locktime), printing each phase change.
//
// Run: MEGA_TESTNET_RPC_URL=http://127.0.0.1:38332 MEGA_TESTNET_RPC_COOKIE=~/.bitcoin/signet/.cookie \
//      MEGA_TESTNET_NETWORK=bitcoin-signet MEGA_TESTNET_NODE_A=https://node-a.example MEGA_TESTNET_NODE_B=https://node-b.example \
//      MEGA_TESTNET_ANNOUNCEMENT=<announcement id> MEGA_TESTNET_OUTCOMES=yes,no \
//      npx tsx scripts/testnet-flow.ts
// Optional: MEGA_TESTNET_RPC_USER / MEGA_TESTNET_RPC_PASSWORD instead of the cookie; MEGA_TESTNET_DIR (state, default
// ./testnet-flow: keep it, it holds both wallets' seeds); MEGA_TESTNET_COLLATERAL (sat each, default 10000);
// MEGA_TESTNET_FEE_RATE (sat/vB, default 2); MEGA_TESTNET_MAKER_URL / MEGA_TESTNET_TAKER_URL (public contact URLs of the two
// counterparty endpoints; default loopback with peers.allowInsecure, which only the two local daemons use).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const env = (k: string, def?: string): string => {
  const v = process.env[k] ?? def;
  if (v === undefined || v === '') throw new Error(`set ${k} (see the header of scripts/testnet-flow.ts)`);
  return v;
};

const network = env('MEGA_TESTNET_NETWORK', 'bitcoin-signet');
if (network !== 'bitcoin-testnet' && network !== 'bitcoin-signet') throw new Error('MEGA_TESTNET_NETWORK is bitcoin-testnet or bitcoin-signet');
const dir = path.resolve(env('MEGA_TESTNET_DIR', 'testnet-flow'));
const announcementId = env('MEGA_TESTNET_ANNOUNCEMENT');
const outcomes = env('MEGA_TESTNET_OUTCOMES', 'yes,no').split(',');
const collateral = Number(env('MEGA_TESTNET_COLLATERAL', '10000'));
const feeRate = Number(env('MEGA_TESTNET_FEE_RATE', '2'));
const rpc = process.env.MEGA_TESTNET_RPC_PASSWORD
  ? { rpcUser: env('MEGA_TESTNET_RPC_USER'), rpcPassword: env('MEGA_TESTNET_RPC_PASSWORD') }
  : { rpcCookieFile: env('MEGA_TESTNET_RPC_COOKIE').replace(/^~/, process.env.HOME ?? '~') };

interface Trader {
  name: string;
  dataDir: string;
  proc: ChildProcess;
}

function startTrader(name: string, node: string, port: number, publicUrl: string | undefined): Promise<Trader> {
  fs.mkdirSync(dir, { recursive: true });
  const cfgPath = path.join(dir, `${name}-cfg.json`);
  fs.writeFileSync(
    cfgPath,
    JSON.stringify({
      dataDir: name,
      nodes: [node],
      chain: { network, rpcUrl: env('MEGA_TESTNET_RPC_URL'), ...rpc },
      listen: { host: '127.0.0.1', port, publicUrl: publicUrl ?? null },
      peers: { allowInsecure: publicUrl === undefined },
      tickSeconds: 15,
      attestationPollSeconds: 60,
    }),
  );
  const proc = spawn(process.execPath, [path.resolve(import.meta.dirname, '../bin/mega-trader.mjs'), cfgPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let log = '';
    proc.stdout?.setEncoding('utf8').on('data', (d: string) => {
      log += d;
      if (log.includes('"msg":"mega-trader started"')) resolve({ name, dataDir: path.join(dir, name), proc });
    });
    proc.on('exit', (code) => reject(new Error(`mega-trader ${name} exited ${code}: ${log.slice(-2000)}`)));
  });
}

async function admin<T>(t: Trader, method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> {
  const token = fs.readFileSync(path.join(t.dataDir, '.cookie'), 'utf8').trim();
  const { url } = JSON.parse(fs.readFileSync(path.join(t.dataDir, 'admin.json'), 'utf8')) as { url: string };
  const res = await fetch(`${url}${route}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined, signal: AbortSignal.timeout(300_000) });
  const json = (await res.json()) as T & { error?: { code: string; message: string } };
  if (res.status !== 200) throw new Error(`${t.name} ${route}: ${res.status} ${json.error?.code}: ${json.error?.message}`);
  return json;
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms)); // a human-paced poll, not test synchronisation

async function main(): Promise<void> {
  const nodeA = env('MEGA_TESTNET_NODE_A');
  const nodeB = env('MEGA_TESTNET_NODE_B');
  const maker = await startTrader('maker', nodeA, 19735, process.env.MEGA_TESTNET_MAKER_URL);
  const taker = await startTrader('taker', nodeB, 19736, process.env.MEGA_TESTNET_TAKER_URL);
  const stop = (): void => {
    maker.proc.kill('SIGTERM');
    taker.proc.kill('SIGTERM');
  };
  process.on('SIGINT', () => {
    stop();
    process.exit(130);
  });
  try {
    const need = BigInt(collateral + 5000);
    for (const t of [maker, taker]) {
      const a = await admin<{ address: string }>(t, 'GET', '/wallet/address');
      process.stdout.write(`fund ${t.name}: send at least ${need} sat to ${a.address}\n`);
    }
    for (const t of [maker, taker]) {
      while (BigInt((await admin<{ available: string }>(t, 'GET', '/wallet/balance')).available) < need) await pause(30_000);
      process.stdout.write(`${t.name} funded\n`);
    }
    const ann = (await (await fetch(`${nodeA}/announcements/${announcementId}`)).json()) as { event: { maturityEpoch: number } };
    const maturity = ann.event.maturityEpoch;
    const payouts = { kind: 'enum', outcomes: outcomes.map((o, i) => ({ outcome: o, maker: i === 0 ? 2 * collateral : 0, taker: i === 0 ? 0 : 2 * collateral })) };
    const { offerId } = await admin<{ offerId: string }>(maker, 'POST', '/offers', { announcementId, makerCollateral: collateral, takerCollateral: collateral, payouts, feeRate, refundLocktime: maturity + 86_400, expiresAt: maturity });
    process.stdout.write(`offer ${offerId} posted to ${nodeA}\n`);
    while ((await fetch(`${nodeB}/offers/${offerId}`)).status !== 200) await pause(5000);
    const taken = await admin<{ phase: string; fundingTxid: string }>(taker, 'POST', `/offers/${offerId}/take`);
    process.stdout.write(`taken: ${taken.phase}, funding ${taken.fundingTxid}\n`);
    const seen = new Map<string, string>();
    for (;;) {
      for (const t of [maker, taker]) {
        const c = await admin<{ phase: string; closingTxid: string | null; outcome: string | null }>(t, 'GET', `/contracts/${offerId}`);
        if (seen.get(t.name) !== c.phase) process.stdout.write(`${t.name}: ${c.phase}${c.closingTxid ? ` closing ${c.closingTxid}` : ''}${c.outcome ? ` outcome ${c.outcome}` : ''}\n`);
        seen.set(t.name, c.phase);
      }
      if ([...seen.values()].every((p) => p === 'closed' || p === 'aborted')) break;
      await pause(60_000);
    }
  } finally {
    stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
