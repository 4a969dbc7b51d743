// test/unit/oracle/daemon-config.test.ts - owns the mega-oracle config (src/oracle-daemon/config.ts, spec.ts) and its schedule (schedule.ts): the commented example loads, defaults fill in, `//` keys are comments, unknown keys and bad values are listed as "path: rule", cross-key rules hold, docs/configuration.md carries the generated table; maturities and event ids.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadOracleConfig, ORACLE_CONFIG_FIELDS, OracleConfigError, parseOracleConfig } from '../../../src/oracle-daemon/config.ts';
import { dueForAnnouncement, eventIdFor, maturitiesIn } from '../../../src/oracle-daemon/schedule.ts';
import { docRows } from '../../../src/oracle-daemon/spec.ts';

const MIN = { dataDir: 'd', nodes: ['http://127.0.0.1:8080'], identity: { keyFile: 'k' } };
const problems = (raw: unknown): string[] => {
  try {
    parseOracleConfig(raw, 'x', '/base');
  } catch (e) {
    assert.ok(e instanceof OracleConfigError);
    return e.problems;
  }
  return [];
};
const cap = (over: object = {}): object => ({ name: 'btc', keyFile: 'c.key', question: 'q', event: { descriptor: { kind: 'enum', outcomes: ['a', 'b'] }, eventId: 'e-{epoch}', maturity: { type: 'every', seconds: 3600 } }, source: { type: 'manual' }, ...over });

describe('mega-oracle config', () => {
  it('loads the commented example in the repository root, resolving paths against its folder', () => {
    const c = loadOracleConfig('oracle-cfg.example.json');
    assert.equal(c.dataDir, path.resolve('oracle-data'));
    assert.equal(c.capabilities.length, 2);
    assert.equal(c.capabilities[0]?.event?.descriptor.kind, 'digits');
    assert.equal(c.capabilities[1]?.source?.type, 'manual');
    assert.deepEqual(c.admin, { host: '127.0.0.1', port: 8190 });
    assert.ok(Object.isFrozen(c.capabilities[0]), 'the config is frozen');
  });

  it('fills defaults and resolves relative paths', () => {
    const c = parseOracleConfig(MIN, 'x', '/base');
    assert.equal(c.dataDir, '/base/d');
    assert.equal(c.identity.keyFile, '/base/k');
    assert.equal(c.identity.difficulty, 16);
    assert.deepEqual(c.retry, { initialMs: 1000, maxMs: 300000 });
    assert.equal(c.rankTarget, null);
    assert.deepEqual(c.capabilities, []);
    assert.equal(c.nodes[0], 'http://127.0.0.1:8080');
  });

  it('ignores `//` comment keys at every level, but only with text', () => {
    assert.deepEqual(problems({ ...MIN, '//': 'top', '// nodes': ['a', 'b'], identity: { keyFile: 'k', '// why': 'x' } }), []);
    assert.deepEqual(problems({ ...MIN, '//': 5 }), ['//: a comment must be text or a list of text']);
  });

  it('lists every problem as path: rule, unknown keys included', () => {
    assert.deepEqual(problems({ ...MIN, colour: 'red', nodes: [], identity: { keyFile: 'k', difficulty: 99, extra: 1 } }), [
      'colour: unknown key (see docs/configuration.md, mega-oracle)',
      'nodes: must be a list of 1 to 32 items',
      'identity.extra: unknown key (see docs/configuration.md, mega-oracle)',
      'identity.difficulty: must be an integer in [0, 40]',
    ]);
    assert.deepEqual(problems({ dataDir: 'd' }), ['nodes: required', 'identity: required']);
    assert.deepEqual(problems([1]), ['(root): must be a JSON object']);
    assert.deepEqual(problems({ ...MIN, nodes: ['ftp://x'] }), ['nodes[0]: must be an http(s) URL']);
  });

  it('checks the variants of descriptor, maturity and source', () => {
    const p = problems({ ...MIN, dlcKeyFile: 'dlc', capabilities: [cap({ event: { descriptor: { kind: 'digits', base: 1 }, eventId: 'e', maturity: { type: 'daily', time: '25:00' } }, source: { type: 'http-json', url: 'x' } })] });
    assert.deepEqual(p, [
      'capabilities[0].event.descriptor.base: must be an integer in [2, 65535]',
      'capabilities[0].event.descriptor.nbDigits: required',
      'capabilities[0].event.maturity.time: must be HH:MM (UTC)',
      'capabilities[0].source.url: must be an http(s) URL',
    ]);
    assert.deepEqual(problems({ ...MIN, dlcKeyFile: 'dlc', capabilities: [cap({ source: { type: 'carrier-pigeon' } })] }), ['capabilities[0].source.type: must be one of "http-json", "command", "file", "manual"']);
  });

  it('applies the cross-key rules', () => {
    assert.deepEqual(problems({ ...MIN, capabilities: [cap()] }), ['capabilities[0].event: needs dlcKeyFile (the DLC attestation key)']);
    assert.deepEqual(problems({ ...MIN, dlcKeyFile: 'dlc', capabilities: [cap(), cap()] }), ['capabilities[1].name: "btc" is used twice']);
    assert.deepEqual(problems({ ...MIN, dlcKeyFile: 'dlc', capabilities: [cap({ source: null })] }), ['capabilities[0].source: an event needs a source']);
    assert.deepEqual(problems({ ...MIN, retry: { initialMs: 5000, maxMs: 1000 } }), ['retry.maxMs: must be ≥ retry.initialMs']);
    assert.deepEqual(problems({ ...MIN, dlcKeyFile: 'dlc', capabilities: [cap({ event: { descriptor: { kind: 'enum', outcomes: ['a', 'b'] }, eventId: 'e', maturity: { type: 'every', seconds: 1 }, announceBeforeSec: 5000 } })] }), ['capabilities[0].event.announceBeforeSec: announces more than 1000 events ahead (announceBeforeSec / maturity.seconds)']);
  });

  it('docs/configuration.md carries the table generated from the spec', () => {
    const doc = fs.readFileSync('docs/configuration.md', 'utf8');
    const m = /<!-- BEGIN GENERATED ORACLE KEYS[^\n]*-->\n\| Key \| Type \| Default \| Meaning \|\n\|---\|---\|---\|---\|\n([\s\S]*?)\n<!-- END GENERATED ORACLE KEYS -->/.exec(doc);
    assert.ok(m, 'the generated block is in docs/configuration.md');
    assert.equal(m[1], docRows(ORACLE_CONFIG_FIELDS).join('\n'), 'regenerate the mega-oracle table from src/oracle-daemon/config.ts (docRows)');
  });
});

describe('mega-oracle schedule', () => {
  const t = (s: string): number => Date.parse(s) / 1000;
  it('daily: the UTC time of every day in the window', () => {
    assert.deepEqual(maturitiesIn({ type: 'daily', time: '00:00' }, t('2027-01-01T00:00:00Z'), t('2027-01-03T00:00:00Z')), [t('2027-01-02T00:00:00Z'), t('2027-01-03T00:00:00Z')], 'the window is (from, to]');
    assert.deepEqual(maturitiesIn({ type: 'daily', time: '13:30' }, t('2027-01-01T14:00:00Z'), t('2027-01-02T14:00:00Z')), [t('2027-01-02T13:30:00Z')]);
  });
  it('every: epoch-aligned with an offset', () => {
    assert.deepEqual(maturitiesIn({ type: 'every', seconds: 60, offsetSeconds: 5 }, 100, 250), [125, 185, 245]);
    assert.deepEqual(maturitiesIn({ type: 'every', seconds: 1, offsetSeconds: 0 }, 10, 10), []);
  });
  it('list: the listed times in the window, sorted', () => {
    assert.deepEqual(maturitiesIn({ type: 'list', times: ['2027-01-03T00:00:00Z', '2027-01-02T00:00:00Z', '2026-01-01T00:00:00Z'] }, t('2027-01-01T00:00:00Z'), t('2028-01-01T00:00:00Z')), [t('2027-01-02T00:00:00Z'), t('2027-01-03T00:00:00Z')]);
  });
  it('announces what matures within announceBeforeSec', () => {
    assert.deepEqual(dueForAnnouncement({ descriptor: { kind: 'enum', outcomes: ['a', 'b'] }, eventId: 'x', maturity: { type: 'every', seconds: 10, offsetSeconds: 0 }, announceBeforeSec: 25, signingVersion: 'dlcspecs-v0', difficulty: 0 }, 101), [110, 120]);
  });
  it('fills the event id template', () => {
    assert.equal(eventIdFor('btcusd-{date}', 'btc', t('2027-01-02T03:04:05Z')), 'btcusd-2027-01-02');
    assert.equal(eventIdFor('{capability}/{datetime}/{epoch}/{other}', 'btc', t('2027-01-02T03:04:05Z')), `btc/20270102T030405Z/${t('2027-01-02T03:04:05Z')}/{other}`);
  });
});
