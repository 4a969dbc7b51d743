// test/unit/config/load.test.ts - config validation: defaults, every rule's message, sample files, and the docs table in step with the schema.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, parseConfig } from '../../../src/config/load.ts';
import { CONFIG_SCHEMA } from '../../../src/config/schema.ts';
import { minePowSync } from '../../../src/protocol/pow.ts';
import { DOC_PATH, renderDoc } from '../../../scripts/gen-config-docs.ts';

const problemsOf = (raw: unknown): string[] => {
  try {
    parseConfig(raw);
  } catch (e) {
    assert.equal(e instanceof ConfigError, true);
    return (e as ConfigError).problems;
  }
  assert.fail('expected a ConfigError');
};

describe('config', () => {
  it('fills every default and freezes the result', () => {
    const c = parseConfig({});
    for (const [k, spec] of Object.entries(CONFIG_SCHEMA)) assert.deepEqual((c as unknown as Record<string, unknown>)[k], spec.default, k);
    assert.equal(Object.isFrozen(c), true);
    assert.equal(Object.isFrozen(c.shard), true);
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
    const rewardAddress = 'bc1qexampleaddress';
    const pow = minePowSync(rewardAddress, 6);
    assert.deepEqual(parseConfig({ facilitatorId: { rewardAddress, pow } }).facilitatorId, { rewardAddress, pow });
    const p = problemsOf({ facilitatorId: { rewardAddress: 'another', pow } });
    assert.equal(p.length, 1);
    assert.match(p[0]!, /^facilitatorId\.pow: not a valid proof of work over rewardAddress/);
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
