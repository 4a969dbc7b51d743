/** test/e2e/placement-cli.test.ts - `mega oracle --bid-node URL --bid-msat N` against a spawned daemon whose lnRestHost is the LND double (LND's REST API): the CLI asks for an invoice, shows it, waits until it is paid, signs the ad with the bid; posted, the ad evicts a higher-PoW unpaid one at the daemon's full mempool and shows its placement. Plus the CLI's refusals. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { OracleId } from '../../src/protocol/types.ts';
import { startDaemon, stopDaemon, type Daemon } from '../helpers/daemon.ts';
import { FakeLnd } from '../helpers/fake-lnd.ts';
import { waitFor } from '../helpers/wait.ts';
import { collect, removeDir, runCli, runJson, spawnCli, tempDir, writeJson } from '../unit/cli/run-cli.ts';

const STOP_DEADLINE_MS = 5000;

let dir: string;
let daemon: Daemon | undefined;
const lnd = new FakeLnd();
const file = (name: string) => path.join(dir, name);

before(async () => {
  dir = tempDir('mega-e2e-placement-');
  await lnd.start();
  const macaroonPath = file('invoice.macaroon');
  fs.writeFileSync(macaroonPath, lnd.macaroon);
  const cfg = writeJson(dir, 'config.json', {
    httpPort: 0,
    p2pPort: 0,
    network: 'regtest',
    listenAddress: '127.0.0.1',
    logLevel: 'info',
    dataDir: file('data'),
    maxOracles: 1,
    lnRestHost: lnd.restHost,
    lnMacaroonPath: macaroonPath,
    lnTlsCertPath: lnd.tls.certPath,
  });
  [daemon] = await Promise.all([startDaemon(cfg), runJson(['keygen', '--out', file('oracle.key')]), runJson(['keygen', '--out', file('other.key')])]);
});

after(async () => {
  await stopDaemon(daemon, STOP_DEADLINE_MS);
  await lnd.stop();
  lnd.cleanup();
  removeDir(dir);
});

describe('mega oracle --bid-node', () => {
  test('asks the node for an invoice, shows it, waits for the payment, signs the ad with the bid; the paid ad wins the full mempool', async () => {
    const base = (daemon as Daemon).base;
    // The mempool holds one oracle: an unpaid one with more PoW.
    const other = await runJson<OracleId>(['oracle', '--key-file', file('other.key'), '-d', '8', '--workers', '1']);
    fs.writeFileSync(file('other.json'), JSON.stringify(other));
    assert.equal((await runCli(['post', file('other.json'), '--node', base])).code, 0);

    const child = spawnCli(['oracle', '--key-file', file('oracle.key'), '--bid-node', base, '--bid-msat', '5000', '-d', '2', '--workers', '1']);
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const done = collect(child, 60_000);
    await waitFor(() => /payment hash [0-9a-f]{64}/.test(stderr), { timeoutMs: 30_000, message: 'the CLI to show the invoice' });
    const hash = (/payment hash ([0-9a-f]{64})/.exec(stderr) as RegExpExecArray)[1] as string;
    const shown = stderr.split('\n').find((l) => l.startsWith('lnbcrt'));
    assert.equal(shown, lnd.invoices.get(hash)?.paymentRequest, 'the BOLT11 invoice from the node\'s LND is shown on its own line');
    assert.equal(child.exitCode, null, 'the CLI waits while the invoice is open');
    lnd.settle(hash);
    const run = await done;
    assert.equal(run.code, 0, run.stderr);
    const ad = JSON.parse(run.stdout) as OracleId;
    const pubkey = (JSON.parse(fs.readFileSync(file('oracle.key'), 'utf8')) as { publicKey: string }).publicKey;
    assert.deepEqual([ad.pubkey, ad.bid], [pubkey, { amount: 5000, proof: hash, paymentType: 'lightning' }]);

    fs.writeFileSync(file('oracle.json'), run.stdout);
    const posted = await runCli(['post', file('oracle.json'), '--node', base]);
    assert.equal(posted.code, 0, posted.stderr);
    assert.equal((JSON.parse(posted.stdout) as { result: string }).result, 'accepted');
    const list = (await (await fetch(`${base}/oracles`)).json()) as { id: string }[];
    assert.deepEqual(list.map((o) => o.id), [pubkey], 'the paid ad (PoW 2) evicted the unpaid one (PoW 8)');
    const details = (await (await fetch(`${base}/oracles/${pubkey}`)).json()) as { rank: unknown; placement: { amountMsat: number; lightningNodeId: string } };
    assert.deepEqual(details.rank, { verifiedBid: 5000, difficulty: 2 });
    assert.deepEqual([details.placement.amountMsat, details.placement.lightningNodeId], [5000, lnd.nodeId]);
  });

  test('refusals: flags that do not go together (usage, exit 2), an amount the node does not sell (exit 1)', async () => {
    const base = (daemon as Daemon).base;
    const alone = await runCli(['oracle', '--key-file', file('oracle.key'), '--bid-node', base]);
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /--bid-node and --bid-msat go together/);
    const mixed = await runCli(['oracle', '--key-file', file('oracle.key'), '--bid-node', base, '--bid-msat', '5000', '--bid-amount', '7']);
    assert.equal(mixed.code, 2);
    assert.match(mixed.stderr, /--bid-node buys the bid/);
    const low = await runCli(['oracle', '--key-file', file('oracle.key'), '--bid-node', base, '--bid-msat', '10']);
    assert.equal(low.code, 1);
    assert.match(low.stderr, /the node did not sell placement: HTTP 422 amount-too-low/);
    assert.equal(low.stdout, '', 'no ad is printed');
  });
});
