// test/unit/trader-daemon/config.test.ts - owns the mega-trader config (src/trader-daemon/config.ts on daemon/config-spec.ts): the commented example loads, defaults fill in, unknown keys and bad values are listed as "path: rule" naming the mega-trader docs section, the cross-key rules hold, the RPC password is masked when printed, docs/configuration.md carries the generated table.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { docRows } from '../../../src/daemon/config-spec.ts';
import { loadTraderConfig, parseTraderConfig, printableConfig, TRADER_CONFIG_FIELDS, TraderConfigError } from '../../../src/trader-daemon/config.ts';

const MIN = { dataDir: 'd', nodes: ['http://127.0.0.1:8080/'], chain: { network: 'bitcoin-regtest', rpcUrl: 'http://127.0.0.1:18443', rpcUser: 'u', rpcPassword: 'secret-pw' } };
const problems = (raw: unknown): string[] => {
  try {
    parseTraderConfig(raw, 'x', '/base');
  } catch (e) {
    assert.ok(e instanceof TraderConfigError, `expected a TraderConfigError, got ${String(e)}`);
    return e.problems;
  }
  return [];
};

describe('mega-trader config', () => {
  it('loads the commented example in the repository root', () => {
    const c = loadTraderConfig('trader-cfg.example.json');
    assert.equal(c.dataDir, path.resolve('trader-data'));
    assert.equal(c.identityKeyFile, path.resolve('trader-data', 'identity.key'), 'identityKeyFile is relative to dataDir');
    assert.equal(c.chain.network, 'bitcoin-regtest');
    assert.equal(c.chain.birthdayHeight, null);
    assert.ok(Object.isFrozen(c.chain), 'the config is frozen');
  });

  it('fills defaults, strips trailing slashes and resolves paths', () => {
    const c = parseTraderConfig(MIN, 'x', '/base');
    assert.equal(c.dataDir, '/base/d');
    assert.equal(c.identityKeyFile, '/base/d/identity.key');
    assert.deepEqual(c.nodes, ['http://127.0.0.1:8080']);
    assert.deepEqual(c.admin, { host: '127.0.0.1', port: 0 });
    assert.equal(c.listen.maxBodyBytes, 8 * 1024 * 1024);
    assert.equal(c.peers.allowInsecure, false);
    assert.equal(c.minConfirmations, 1);
    assert.equal(c.tickSeconds, 10);
  });

  it('lists every problem as path: rule, unknown keys naming the mega-trader section', () => {
    assert.deepEqual(problems({ ...MIN, colour: 1, nodes: [], chain: { ...MIN.chain, network: 'litecoin', extra: true }, admin: { host: '0.0.0.0' } }), [
      'colour: unknown key (see docs/configuration.md, mega-trader)',
      'nodes: must be a list of 1 to 16 items',
      'chain.extra: unknown key (see docs/configuration.md, mega-trader)',
      'chain.network: must be one of "bitcoin-regtest", "bitcoin-testnet", "bitcoin-signet", "bitcoin-mainnet"',
      'admin.host: must be a loopback address (127.x.x.x, ::1 or localhost)',
    ]);
    assert.deepEqual(problems({ dataDir: 'd' }), ['nodes: required', 'chain: required']);
    assert.deepEqual(problems({ ...MIN, nodes: ['http://user:pw@host'] }), ['nodes[0]: must be an http(s) URL without credentials, query or fragment']);
    assert.deepEqual(problems({ ...MIN, chain: { ...MIN.chain, birthdayHeight: -1 } }), ['chain.birthdayHeight: must be an integer ≥ 0 or null']);
    assert.deepEqual(problems({ ...MIN, '//': 'a comment', chain: { ...MIN.chain, '// why': ['x'] } }), []);
  });

  it('holds the cross-key rules', () => {
    assert.deepEqual(problems({ ...MIN, chain: { ...MIN.chain, rpcPassword: null } }), ['chain.rpcPassword: rpcUser and rpcPassword go together']);
    assert.deepEqual(problems({ ...MIN, chain: { network: 'bitcoin-regtest', rpcUrl: 'http://h:1' } }), ['chain.rpcCookieFile: give rpcUser+rpcPassword or rpcCookieFile']);
    assert.deepEqual(problems({ ...MIN, chain: { ...MIN.chain, rpcCookieFile: 'c' } }), ['chain.rpcCookieFile: give rpcUser+rpcPassword or rpcCookieFile, not both']);
    assert.deepEqual(problems({ ...MIN, chain: { ...MIN.chain, network: 'bitcoin-mainnet' }, peers: { allowInsecure: true } }), ['peers.allowInsecure: not on bitcoin-mainnet']);
    assert.deepEqual(problems({ ...MIN, chain: { ...MIN.chain, network: 'bitcoin-mainnet' }, listen: { publicUrl: 'http://me.example' } }), ['listen.publicUrl: must be https on bitcoin-mainnet']);
    const c = parseTraderConfig({ ...MIN, chain: { network: 'bitcoin-signet', rpcUrl: 'http://h:1', rpcCookieFile: 'bitcoin/.cookie' } }, 'x', '/base');
    assert.equal(c.chain.rpcCookieFile, '/base/bitcoin/.cookie');
  });

  it('masks the RPC password when printed', () => {
    const text = JSON.stringify(printableConfig(parseTraderConfig(MIN, 'x', '/base')));
    assert.equal(text.includes('secret-pw'), false, 'the password must not be printed');
    assert.match(text, /"rpcPassword":"\(set\)"/);
  });

  it('docs/configuration.md carries the generated key table (npx tsx scripts/gen-trader-config-docs.ts)', () => {
    const doc = fs.readFileSync('docs/configuration.md', 'utf8');
    const m = /<!-- BEGIN GENERATED TRADER KEYS[^\n]*-->\n\| Key \| Type \| Default \| Meaning \|\n\|---\|---\|---\|---\|\n([\s\S]*?)\n<!-- END GENERATED TRADER KEYS -->/.exec(doc);
    assert.ok(m, 'the generated block is present');
    assert.equal(m[1], docRows(TRADER_CONFIG_FIELDS).join('\n'), 'the table is out of date: run npx tsx scripts/gen-trader-config-docs.ts');
  });
});
