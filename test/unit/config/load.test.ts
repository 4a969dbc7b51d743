// test/unit/config/load.test.ts - config validation: defaults, every rule's message, sample files, and the docs table in step with the schema.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, parseConfig } from '../../../src/config/load.ts';
import { CONFIG_SCHEMA } from '../../../src/config/schema.ts';
import { minePowSync } from '../../../src/protocol/pow.ts';
import { makeKeys } from '../../helpers/factory.ts';
import { DOC_PATH, renderDoc } from '../../../scripts/gen-config-docs.ts';

/** Valid addresses of each network (P2WPKH of one key hash). */
const MAINNET_ADDR = 'bc1qh6twm3strmqu08ky6ahyfaaf36823sesh6tx5z';
const TESTNET_ADDR = 'tb1qh6twm3strmqu08ky6ahyfaaf36823sesaus403';
const REGTEST_ADDR = 'bcrt1qh6twm3strmqu08ky6ahyfaaf36823sesl4fccc';
const PUBKEY = makeKeys(901).publicKey;

const problemsOf = (raw: unknown): string[] => {
  try {
    parseConfig(raw);
  } catch (e) {
    assert.equal(e instanceof ConfigError, true, 'expected e instanceof ConfigError to be true');
    return (e as ConfigError).problems;
  }
  assert.fail('expected a ConfigError');
};

describe('config', () => {
  it('fills every default and freezes the result', () => {
    const c = parseConfig({});
    for (const [k, spec] of Object.entries(CONFIG_SCHEMA)) assert.deepEqual((c as unknown as Record<string, unknown>)[k], spec.default, k);
    assert.equal(Object.isFrozen(c), true, 'expected Object.isFrozen(c) to be true');
    assert.equal(Object.isFrozen(c.shard), true, 'expected Object.isFrozen(c.shard) to be true');
  });

  it('rejects unknown keys, naming them', () => {
    assert.deepEqual(problemsOf({ colour: 'red' }), ['colour: unknown key (see docs/configuration.md)']);
  });

  it('names the key and the rule for each bad value, all at once', () => {
    const p = problemsOf({ maxOracles: 0, httpPort: 70000, isTest: 'yes', network: 'moon', shard: { count: 2, index: 2 } });
    assert.deepEqual(p, [
      'network: must be one of "mainnet", "testnet", "regtest"',
      'httpPort: must be an integer in [0, 65535]',
      'isTest: must be true or false',
      'maxOracles: must be an integer ≥ 1',
      'shard: index must be an integer in [0, count - 1]',
    ]);
  });

  it('checks nested shapes: shard, p2pseed, facilitatorId', () => {
    assert.deepEqual(problemsOf({ shard: { count: 0, index: 0 } }), ['shard: count must be an integer in [1, 1048576]']);
    assert.deepEqual(problemsOf({ shard: { count: 1, index: 0, x: 1 } }), ['shard: has unknown key "x"']);
    assert.deepEqual(problemsOf({ p2pseed: [{ server: 'localhost' }] }), ['p2pseed: [0].port must be an integer in [1, 65535]']);
    assert.deepEqual(problemsOf({ p2pseed: [{ server: 'bad host!', port: 1 }] }), ['p2pseed: [0].server must be a host name or IP address']);
    assert.deepEqual(problemsOf({ facilitatorId: { nick: 'x' } }), ['facilitatorId: has unknown key "nick"']);
    assert.deepEqual(problemsOf({ facilitatorId: { pow: {} } }), ['facilitatorId: pow needs rewardAddress (it is work over the reward address)']);
  });

  it('checks the facilitator PoW over the reward address', () => {
    const rewardAddress = MAINNET_ADDR;
    const pow = minePowSync(rewardAddress, 6);
    assert.deepEqual(parseConfig({ facilitatorId: { rewardAddress, pow } }).facilitatorId, { rewardAddress, pow });
    const p = problemsOf({ facilitatorId: { rewardAddress: '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', pow } });
    assert.equal(p.length, 1);
    assert.match(p[0]!, /^facilitatorId\.pow: not a valid proof of work over rewardAddress/);
  });

  it('checks the reward address against the configured network', () => {
    // Every address kind of each network loads (taproot included).
    const ok: [string, string][] = [
      ['mainnet', MAINNET_ADDR],
      ['mainnet', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2'],
      ['mainnet', '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy'],
      ['mainnet', 'bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297'],
      ['testnet', TESTNET_ADDR],
      ['testnet', 'mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn'],
      ['regtest', REGTEST_ADDR],
    ];
    for (const [network, rewardAddress] of ok) {
      assert.equal(parseConfig({ network, facilitatorId: { rewardAddress } }).facilitatorId?.rewardAddress, rewardAddress, `${network} ${rewardAddress}`);
    }
    const bad: [string, string, RegExp][] = [
      ['mainnet', TESTNET_ADDR, /^facilitatorId\.rewardAddress: is not a valid mainnet Bitcoin address \(.*invalid prefix/],
      ['testnet', MAINNET_ADDR, /^facilitatorId\.rewardAddress: is not a valid testnet Bitcoin address/],
      ['regtest', TESTNET_ADDR, /^facilitatorId\.rewardAddress: is not a valid regtest Bitcoin address/],
      ['mainnet', 'mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn', /^facilitatorId\.rewardAddress: is not a valid mainnet Bitcoin address/],
      // one character changed: the checksum fails
      ['mainnet', MAINNET_ADDR.slice(0, -1) + (MAINNET_ADDR.endsWith('z') ? 'q' : 'z'), /^facilitatorId\.rewardAddress: is not a valid mainnet Bitcoin address/],
      ['mainnet', 'bc1qexampleaddress', /^facilitatorId\.rewardAddress: is not a valid mainnet Bitcoin address/],
      ['testnet', 'bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297', /^facilitatorId\.rewardAddress: is not a testnet address \(prefix bc, expected tb\)/],
    ];
    for (const [network, rewardAddress, rule] of bad) {
      const p = problemsOf({ network, facilitatorId: { rewardAddress } });
      assert.equal(p.length, 1, `${network} ${rewardAddress}: ${p.join('; ')}`);
      assert.match(p[0]!, rule, `${network} ${rewardAddress}`);
    }
  });

  it('a facilitator manifestUri needs a pubkey on the curve and https (http only with isTest)', () => {
    const manifestUri = 'https://facilitator.example/.well-known/mega.json';
    assert.deepEqual(problemsOf({ facilitatorId: { manifestUri } }), ['facilitatorId: manifestUri needs pubkey (the key the manifest must name and be signed by)']);
    assert.deepEqual(problemsOf({ facilitatorId: { manifestUri, pubkey: 'abc' } }), [
      'facilitatorId: pubkey must be a 33-byte compressed public key: 66 lowercase hex characters starting with 02 or 03',
    ]);
    assert.deepEqual(problemsOf({ facilitatorId: { manifestUri, pubkey: PUBKEY.toUpperCase() } }), [
      'facilitatorId: pubkey must be a 33-byte compressed public key: 66 lowercase hex characters starting with 02 or 03',
    ]);
    // Well formed, but x is not on secp256k1.
    assert.deepEqual(problemsOf({ facilitatorId: { manifestUri, pubkey: `02${'f'.repeat(64)}` } }), ['facilitatorId.pubkey: not a point on secp256k1']);
    assert.deepEqual(problemsOf({ facilitatorId: { manifestUri: 'http://facilitator.example/m.json', pubkey: PUBKEY } }), [
      'facilitatorId.manifestUri: must be an https URL (plain http only when isTest)',
    ]);
    assert.deepEqual(problemsOf({ facilitatorId: { manifestUri: 'ftp://facilitator.example/m.json', pubkey: PUBKEY }, isTest: true }), [
      'facilitatorId.manifestUri: must be an https URL (or http, isTest is on)',
    ]);
    assert.deepEqual(problemsOf({ facilitatorId: { manifestUri: 'facilitator.example/m.json', pubkey: PUBKEY } }), ['facilitatorId.manifestUri: must be an absolute https URL']);
    assert.deepEqual(problemsOf({ facilitatorId: { manifestUri: 'https://u:p@facilitator.example/m.json', pubkey: PUBKEY } }), ['facilitatorId.manifestUri: must not carry credentials']);
    // Accepted: https always, http on a test node; pubkey alone is fine too.
    assert.deepEqual(parseConfig({ facilitatorId: { manifestUri, pubkey: PUBKEY } }).facilitatorId, { manifestUri, pubkey: PUBKEY });
    assert.equal(parseConfig({ isTest: true, facilitatorId: { manifestUri: 'http://localhost:8000/m.json', pubkey: PUBKEY } }).facilitatorId?.manifestUri, 'http://localhost:8000/m.json');
    assert.deepEqual(parseConfig({ facilitatorId: { pubkey: PUBKEY } }).facilitatorId, { pubkey: PUBKEY });
  });

  it('manifestRecheckIntervalMs is bounded', () => {
    assert.equal(parseConfig({ manifestRecheckIntervalMs: 500 }).manifestRecheckIntervalMs, 500);
    assert.deepEqual(problemsOf({ manifestRecheckIntervalMs: 50 }), ['manifestRecheckIntervalMs: must be an integer in [100, 604800000]']);
  });

  it('reports unreadable files and invalid JSON clearly', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-cfg-'));
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{ "httpPort": 80, }');
    assert.throws(() => loadConfig(bad), (e: unknown) => e instanceof ConfigError && /not valid JSON/.test(e.problems[0]!));
    assert.throws(() => loadConfig(path.join(dir, 'missing.json')), (e: unknown) => e instanceof ConfigError && /cannot read file/.test(e.problems[0]!));
    fs.writeFileSync(bad, '[]');
    assert.throws(() => loadConfig(bad), (e: unknown) => e instanceof ConfigError && e.problems[0] === '(root): must be a JSON object');
  });

  it('loads the sample configs and config.example.json', () => {
    const c1 = loadConfig('mempool-cfg.json');
    const c2 = loadConfig('mempool-cfg2.json');
    const c3 = loadConfig('mempool-cfg3.json');
    assert.deepEqual([c1.httpPort, c2.httpPort, c3.httpPort], [8080, 8081, 8082]);
    assert.deepEqual([c1.p2pPort, c2.p2pPort, c3.p2pPort], [8333, 8334, 8335]);
    assert.deepEqual(c2.p2pseed, [{ server: 'localhost', port: 8333 }]);
    assert.deepEqual(c3.p2pseed, [{ server: 'localhost', port: 8333 }]);
    assert.equal(c1.network, 'testnet');
    const ex = loadConfig('config.example.json');
    for (const [k, spec] of Object.entries(CONFIG_SCHEMA)) assert.deepEqual((ex as unknown as Record<string, unknown>)[k], spec.default, k);
  });

  it('docs/configuration.md has the table generated from the schema', () => {
    const doc = fs.readFileSync(DOC_PATH, 'utf8');
    assert.equal(doc, renderDoc(doc), 'run: npx tsx scripts/gen-config-docs.ts');
  });
});
