// test/e2e/trader-daemon.test.ts - owns mega-trader end to end on a real chain: bcoin regtest in this process (its JSON-RPC is the traders' chain backend), two peered Mega nodes, a spawned mega-oracle with an enum event maturing in seconds (manual outcome, steered by the test), and two spawned mega-traders funded by the test. (1) an offer made through the CLI on node A is found on node B and taken through the CLI; the funding confirms; the attestation settles it: the winner's CET confirms, the funding output is spent, and a late refund by the loser is refused (the daemon knows the contract closed; the chain refuses any second spend of the funding output as missingorspent); (2) with no attestation the refund is refused before its locktime and confirmed after it (the chain's clock moved ahead); (3) the taker SIGKILLed right after it sent accept_dlc and restarted ends funded or aborted, never with two funding transactions; (4) a numeric (digit-decomposition) bet with a rounded linear payout curve settles on the attested value by the CET of its digit prefix. Also: a bad config exits 78 naming every problem.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { stopDaemon, type Daemon } from '../helpers/daemon.ts';
import { Regtest } from '../helpers/regtest.ts';
import { waitFor } from '../helpers/wait.ts';
import { collect, REPO_ROOT, removeDir, runMain, tempDir } from '../unit/cli/run-cli.ts';
import { getJson, makeKeys, spawnOracle, startNode, stopOracle, type OracleProc } from './oracle-daemon-harness.ts';
import { startTrader, stopTrader, traderCli, traderCliRaw, waitPhase, writeTraderConfig, type TraderProc } from './trader-harness.ts';
import { spawn } from 'node:child_process';
import { Transaction } from 'bitcoinjs-lib';

const FUND_SAT = 10_000_000n;
const COLLATERAL = 50_000;

let dir: string;
let chain: Regtest | undefined;
let nodeA: (Daemon & { p2pPort: number }) | undefined;
let nodeB: (Daemon & { p2pPort: number }) | undefined;
let oracle: OracleProc | undefined;
let maker: TraderProc | undefined;
let taker: TraderProc | undefined;

interface Balance {
  available: string;
  reserved: string;
  pending: string;
}

before(async () => {
  dir = tempDir('mega-traderd-');
});
after(async () => {
  await stopTrader(taker).catch(() => undefined);
  await stopTrader(maker).catch(() => undefined);
  await stopOracle(oracle).catch(() => undefined);
  await stopDaemon(nodeB, 10_000).catch(() => undefined);
  await stopDaemon(nodeA, 10_000).catch(() => undefined);
  await chain?.stop().catch(() => undefined);
  removeDir(dir);
});

/** Pay FUND_SAT to a fresh address of the trader's wallet (one block), and wait until the wallet sees it. */
async function fund(t: TraderProc): Promise<void> {
  const a = await traderCli<{ address: string; scriptPubKey: string }>(t, ['wallet', 'address']);
  assert.match(a.address, /^bcrt1q/, 'a regtest P2WPKH address');
  await (chain as Regtest).fund([{ spk: Buffer.from(a.scriptPubKey, 'hex'), value: FUND_SAT }]);
  await waitFor(async () => BigInt((await traderCli<Balance>(t, ['wallet', 'balance'])).available) >= FUND_SAT, { timeoutMs: 20_000, message: `${t.name}'s wallet to see its coins` });
}

/** Make an offer on `announcementId` through the maker's CLI, wait until node B holds it; returns its id. */
async function makeOffer(announcementId: string, maturity: number, refundLocktime: number, payoutsFile?: string): Promise<string> {
  const payouts = payoutsFile === undefined ? ['--payout', `yes=${2 * COLLATERAL}:0`, '--payout', `no=0:${2 * COLLATERAL}`] : ['--payouts', payoutsFile];
  const made = await traderCli<{ offerId: string }>(maker as TraderProc, [
    'offer', 'create', '--announcement', announcementId, '--maker-collateral', String(COLLATERAL), '--taker-collateral', String(COLLATERAL),
    ...payouts, '--fee-rate', '2', '--refund-locktime', String(refundLocktime), '--expires', String(maturity),
  ]);
  assert.match(made.offerId, /^[0-9a-f]{64}$/);
  await waitFor(async () => (await getJson((nodeB as Daemon).base, `/offers/${made.offerId}`)).status === 200, { timeoutMs: 20_000, message: 'the offer to reach node B by gossip' });
  return made.offerId;
}

describe('mega-trader end to end on bcoin regtest', () => {
  it('makes, finds, takes, funds and settles a bet; refunds one the oracle never attests; survives a kill after accept_dlc', { timeout: 240_000 }, async () => {
    const t0 = Date.now();
    const note = (what: string): void => void process.stderr.write(`# ${what}: ${Date.now() - t0} ms\n`);
    const chainUp = Regtest.start();
    nodeA = await startNode(dir, 'a', {});
    nodeB = await startNode(dir, 'b', { p2pseed: [{ server: '127.0.0.1', port: nodeA.p2pPort }] });
    chain = await chainUp;
    note('chain and nodes up');
    // The traders first (they need the chain and a node, not the oracle); the taker lives on node B only.
    const pending = [startTrader('maker', writeTraderConfig(dir, 'maker', [nodeA.base], chain)), startTrader('taker', writeTraderConfig(dir, 'taker', [nodeB.base], chain))];
    pending.forEach((p) => void p.then((t) => (t.name === 'maker' ? (maker = t) : (taker = t)), () => undefined));
    await Promise.all(pending);
    if (!maker || !taker) throw new Error('the traders did not start');
    note('traders up');
    const keys = makeKeys(path.join(dir, 'keys'), ['vote', 'temp']);
    // Event 1 is attested (the test posts its outcome); event 2 never is. A minute leaves time to make,
    // relay, take and fund three bets on a busy machine before the offers expire at maturity.
    const m1 = Math.floor(Date.now() / 1000) + 60;
    const m2 = m1 + 5;
    const iso = (t: number): string => new Date(t * 1000).toISOString().replace('.000Z', 'Z');
    const oracleCfg = path.join(dir, 'oracle-cfg.json');
    fs.writeFileSync(
      oracleCfg,
      JSON.stringify({
        dataDir: 'odata',
        nodes: [nodeA.base],
        identity: { keyFile: keys.identity, difficulty: 4 },
        dlcKeyFile: keys.dlc,
        capabilities: [{ name: 'vote', keyFile: keys.capability('vote'), question: 'Who wins the vote', event: { descriptor: { kind: 'enum', outcomes: ['yes', 'no'] }, eventId: 'vote-{epoch}', maturity: { type: 'list', times: [iso(m1), iso(m2)] }, announceBeforeSec: 3600, difficulty: 4 }, source: { type: 'manual' } },
          // A numeric event (dlcspecs digit decomposition, 10 binary digits: 0..1023) maturing with event 1.
          { name: 'temp', keyFile: keys.capability('temp'), question: 'Temperature in Oslo', event: { descriptor: { kind: 'digits', base: 2, nbDigits: 10 }, eventId: 'temp-{epoch}', maturity: { type: 'list', times: [iso(m1)] }, announceBeforeSec: 3600, difficulty: 4 }, source: { type: 'manual' } },
        ],
        admin: { port: 0 },
        checkIntervalSec: 1,
        retry: { initialMs: 200, maxMs: 1000 },
      }),
    );
    oracle = spawnOracle(oracleCfg);
    await fund(maker);
    await fund(taker);
    note('wallets funded');
    await waitFor(() => oracle!.exit() !== undefined || oracle!.log().includes('"msg":"oracle daemon started"'), { timeoutMs: 60_000, message: () => `mega-oracle to start: ${oracle!.log().slice(-2000)}` });
    assert.equal(oracle.exit(), undefined, `mega-oracle exited early: ${oracle.log().slice(-2000)}`);
    const announcements = new Map<string, string>();
    await waitFor(
      async () => {
        const list = (await getJson<{ id: string; event: { eventId: string } }[]>(nodeB!.base, `/announcements?oracle=${keys.pubkey}`)).body;
        for (const a of list) announcements.set(a.event.eventId, a.id);
        return announcements.has(`vote-${m1}`) && announcements.has(`vote-${m2}`) && announcements.has(`temp-${m1}`);
      },
      { timeoutMs: 20_000, message: 'the three announcements on node B' },
    );
    const ann1 = announcements.get(`vote-${m1}`) as string;
    const ann2 = announcements.get(`vote-${m2}`) as string;
    const ann4 = announcements.get(`temp-${m1}`) as string;
    note('announcements on node B');

    // (1) Make on A, find on B, take through the CLI: the taker broadcasts the funding transaction.
    const offer1 = await makeOffer(ann1, m1, m1 + 7200);
    const taken1 = await traderCli<{ phase: string; fundingTxid: string | null }>(taker, ['offer', 'take', offer1]);
    assert.ok(['funding', 'funded'].includes(taken1.phase), `after take the taker waits for the funding to confirm, got ${taken1.phase}`);
    assert.match(taken1.fundingTxid ?? '', /^[0-9a-f]{64}$/);
    await waitFor(() => chain!.inMempool(taken1.fundingTxid as string), { timeoutMs: 10_000, message: 'the funding transaction in the mempool' });
    await chain.mine(1);
    const funded1 = await waitPhase(maker, offer1, ['funded']);
    assert.equal(funded1.fundingTxid, taken1.fundingTxid, 'maker and taker see one funding transaction');
    await waitPhase(taker, offer1, ['funded']);
    note('bet 1 funded');

    // (2) A second bet on the event nobody will attest, refund locktime just after its maturity.
    const refund2 = m2 + 60;
    const offer2 = await makeOffer(ann2, m2, refund2);
    const taken2 = await traderCli<{ fundingTxid: string }>(taker, ['offer', 'take', offer2]);
    await waitFor(() => chain!.inMempool(taken2.fundingTxid), { timeoutMs: 10_000, message: 'funding 2 in the mempool' });
    await chain.mine(1);
    await waitPhase(taker, offer2, ['funded']);
    note('bet 2 funded');

    // (3) A third bet; the taker is SIGKILLed right after it logged sending accept_dlc, then restarted.
    const offer3 = await makeOffer(ann2, m2, refund2 + 1); // other terms than bet 2, so another offer id
    const takeRun = runMain(['offer', 'take', offer3, '--data-dir', taker.dataDir]).catch(() => null);
    await waitFor(() => /"msg":"sending accept_dlc"[^\n]*/.test(taker!.log().split('\n').filter((l) => l.includes(offer3)).join('\n')), { timeoutMs: 20_000, intervalMs: 5, message: 'the taker to send accept_dlc for offer 3' });
    taker.proc.kill('SIGKILL');
    await waitFor(() => taker!.exit() !== undefined, { timeoutMs: 10_000, message: 'the taker to die' });
    await takeRun;
    taker = await startTrader('taker', taker.cfgPath);
    const after3 = await waitPhase(taker, offer3, ['funding', 'funded', 'aborted'], 40_000);
    if (after3.phase === 'aborted') {
      const b = await traderCli<Balance>(taker, ['wallet', 'balance']);
      assert.equal(b.reserved, '0', 'an aborted take releases its coins');
    } else {
      if (after3.phase === 'funding') await chain.mine(1);
      const t3 = await waitPhase(taker, offer3, ['funded']);
      const m3 = await waitPhase(maker, offer3, ['funded']);
      assert.equal(t3.fundingTxid, m3.fundingTxid, 'after the restart both sides hold the one funding transaction');
    }
    note(`bet 3 after the kill and restart: ${after3.phase}`);

    // (4) A numeric bet: the maker's payout rises linearly from 0 at 0 to both collaterals at 1023,
    // rounded to multiples of 10,000 sat (a dozen payout levels, so a few dozen CETs by digit prefix).
    const curveFile = path.join(dir, 'curve.json');
    fs.writeFileSync(curveFile, JSON.stringify({ kind: 'numeric', points: [{ outcome: 0, maker: 0 }, { outcome: 1023, maker: 2 * COLLATERAL }], rounding: [{ begin: 0, mod: 10_000 }] }));
    const offer4 = await makeOffer(ann4, m1, m1 + 7200, curveFile);
    const taken4 = await traderCli<{ fundingTxid: string }>(taker, ['offer', 'take', offer4]);
    await waitFor(() => chain!.inMempool(taken4.fundingTxid), { timeoutMs: 10_000, message: 'funding 4 in the mempool' });
    await chain.mine(1);
    await waitPhase(maker, offer4, ['funded']);
    await waitPhase(taker, offer4, ['funded']);
    note('bet 4 (numeric) funded');

    // (1) continued: the oracle attests "yes" at maturity; the maker wins everything.
    const makerBefore = BigInt((await traderCli<Balance>(maker, ['wallet', 'balance'])).available);
    const outcome = await runMain(['oracle', 'outcome', '--config', oracleCfg, '--capability', 'vote', '--announcement', ann1, '--value', 'yes']);
    assert.equal(outcome.code, 0, outcome.stderr);
    const closing = await waitPhase(maker, offer1, ['closing', 'closed'], Math.max(20_000, (m1 + 20) * 1000 - Date.now()));
    assert.equal(closing.outcome, 'yes');
    assert.match(closing.closingTxid ?? '', /^[0-9a-f]{64}$/);
    await chain.mine(1);
    const closed1 = await waitPhase(maker, offer1, ['closed']);
    assert.notEqual(await chain.confirmedHeight(closed1.closingTxid as string), null, 'the winner\'s CET is in a block');
    const cet = await chain.rpc<{ vin: { txid: string; vout: number }[] }>('getrawtransaction', [closed1.closingTxid, 1]);
    assert.equal(cet.vin.length, 1, 'a CET spends the funding output only');
    const fundingOut = cet.vin[0] as { txid: string; vout: number };
    assert.equal(fundingOut.txid, closed1.fundingTxid, 'the CET spends the funding transaction');
    assert.equal(await chain.rpc('gettxout', [fundingOut.txid, fundingOut.vout, true]), null, 'the funding output is spent');
    const cetOuts = (await chain.rpc<{ vout: { value: number }[] }>('getrawtransaction', [closed1.closingTxid, 1])).vout;
    assert.equal(cetOuts.length, 1, 'the "yes" CET pays the maker only (the taker\'s 0 sat output is left out)');
    const won = BigInt(Math.round((cetOuts[0] as { value: number }).value * 1e8));
    assert.ok(won > BigInt(2 * COLLATERAL - 2000) && won <= BigInt(2 * COLLATERAL), `the CET pays both collaterals less its fee, got ${won}`);
    await waitFor(async () => BigInt((await traderCli<Balance>(maker as TraderProc, ['wallet', 'balance'])).available) === makerBefore + won, { timeoutMs: 20_000, message: 'the maker\'s wallet to count the CET output' });
    await waitPhase(taker, offer1, ['closed']);
    note('bet 1 settled by the CET');

    // (4) continued: the oracle attests 613; the maker is owed 100,000 x 613 / 1023 = 59,922 sat, rounded to 60,000.
    const temp = await runMain(['oracle', 'outcome', '--config', oracleCfg, '--capability', 'temp', '--announcement', ann4, '--value', '613']);
    assert.equal(temp.code, 0, temp.stderr);
    const closing4 = await waitPhase(maker, offer4, ['closing', 'closed'], 30_000);
    assert.equal(closing4.outcome, '613', 'the attested value');
    await chain.mine(1);
    const closed4 = await waitPhase(maker, offer4, ['closed']);
    await waitPhase(taker, offer4, ['closed']);
    const cet4 = await chain.rpc<{ vin: { txid: string }[]; vout: { value: number; scriptPubKey: { hex: string } }[] }>('getrawtransaction', [closed4.closingTxid, 1]);
    assert.equal(cet4.vin[0]?.txid, closed4.fundingTxid, 'the numeric CET spends bet 4\'s funding output');
    const outs = cet4.vout.map((o) => Math.round(o.value * 1e8)).sort((a, b) => a - b);
    assert.equal(outs.length, 2, `the CET for 613 pays both sides: ${JSON.stringify(outs)}`);
    assert.ok(outs[0]! > 40_000 - 1000 && outs[0]! <= 40_000, `the taker gets 40,000 sat less its share of the CET fee, got ${outs[0]}`);
    assert.ok(outs[1]! > 60_000 - 1000 && outs[1]! <= 60_000, `the maker gets 60,000 sat less its share of the CET fee, got ${outs[1]}`);
    note('bet 4 settled by the numeric CET');

    // (2) continued: before its locktime the refund is refused; move the chain's clock past it; then it confirms.
    const early = await traderCliRaw(taker, ['contract', 'refund', offer2]);
    assert.equal(early.code, 1, `a refund before its locktime is refused: ${early.stdout}`);
    assert.match(early.stderr, /refund-not-final/);
    chain.setClockOffset(m1 + 7200 - Math.floor(Date.now() / 1000) + 600);
    await chain.mine(11);
    assert.ok((await chain.medianTimePast()) > m1 + 7200, 'the median time past is beyond both refund locktimes');
    const refund = await traderCliRaw(taker, ['contract', 'refund', offer2]);
    // The daemon's own tick may have broadcast the refund first; either way it closes by refund.
    if (refund.code !== 0) assert.match(refund.stderr, /wrong-phase|closing/, `the refund after the locktime: ${refund.stderr}`);
    const refunding = await waitPhase(taker, offer2, ['closing', 'closed']);
    await chain.mine(1);
    const refunded = await waitPhase(taker, offer2, ['closed']);
    assert.equal(refunded.outcome, null, 'closed by the refund, not by an attestation');
    assert.equal(refunded.closingTxid, refunding.closingTxid);
    assert.notEqual(await chain.confirmedHeight(refunded.closingTxid as string), null, 'the refund is in a block');

    // (1) the loser's refund of the settled bet gets nothing: the funding output is gone.
    const late = await traderCliRaw(taker, ['contract', 'refund', offer1]);
    assert.equal(late.code, 1, 'a refund of a settled contract is refused');
    assert.match(late.stderr, /wrong-phase/, 'the daemon knows the contract is closed');
    // And the chain would refuse any second spend of the funding output, the loser's refund included.
    const second = new Transaction();
    second.version = 2;
    second.locktime = m1 + 7200;
    second.addInput(Buffer.from(fundingOut.txid, 'hex').reverse(), fundingOut.vout, 0xfffffffe);
    second.addOutput(Buffer.from(chain.miner.spk), 50_000n);
    second.setWitness(0, [Buffer.alloc(0), Buffer.alloc(71, 1), Buffer.alloc(71, 1), Buffer.alloc(71, 2)]);
    // Straight into a block (bcoin's mempool would keep a transaction with a spent input as an orphan).
    const refused = await chain.mineWith(second);
    assert.equal(refused.ok, false, 'a block with a second spend of the funding output is refused');
    assert.match(refused.ok ? '' : refused.reason, /missingorspent/, 'refused as a double spend');
    note('whole flow');
  });

  it('refuses a bad config with exit 78 and names every problem', { timeout: 30_000 }, async () => {
    const cfgPath = path.join(dir, 'bad-trader.json');
    fs.writeFileSync(cfgPath, JSON.stringify({ dataDir: 'x', nodes: [], chain: { network: 'dogecoin', rpcUrl: 'http://127.0.0.1:1' }, colour: 'red' }));
    const r = await collect(spawn(process.execPath, [path.join(REPO_ROOT, 'bin/mega-trader.mjs'), cfgPath], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
    assert.equal(r.code, 78);
    assert.match(r.stderr, /nodes: must be a list of 1 to 16 items/);
    assert.match(r.stderr, /chain\.network: must be one of/);
    assert.match(r.stderr, /colour: unknown key \(see docs\/configuration\.md, mega-trader\)/);
  });
});
