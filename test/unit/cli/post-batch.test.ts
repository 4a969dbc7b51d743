/** test/unit/cli/post-batch.test.ts - `mega post` with several files against the real REST app on loopback: one POST /entities in the order given, the results printed, exit 1 naming each refused file. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../../api/_app.ts';
import { makeCapability, makeKeys, makeOracle } from '../../helpers/factory.ts';
import { runCli } from './run-cli.ts';

const t = buildApp();
let server: http.Server;
let base: string;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-post-batch-'));
const file = (name: string, value: unknown): string => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, JSON.stringify(value, null, 1));
  return p;
};

before(async () => {
  server = t.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fs.rmSync(dir, { recursive: true, force: true });
});

type Results = { results: { httpStatus: number; result?: string; error?: { code: string } }[] };

describe('mega post with several files', () => {
  test('an oracle then its capability in one POST /entities: both accepted, in that order, exit 0', async () => {
    const o = makeKeys(71);
    const c = makeKeys(72);
    const r = await runCli(['post', file('o.json', makeOracle({ keys: o })), file('c.json', makeCapability({ oracleKeys: o, capKeys: c, question: 'Q?' })), '--node', base]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout) as Results, { results: [{ httpStatus: 201, result: 'accepted', id: o.publicKey }, { httpStatus: 201, result: 'accepted', id: c.publicKey }] });
    assert.equal(t.service.getOracle(o.publicKey)?.capabilities.size, 1, 'expected the capability stored under its oracle');
  });

  test('a capability before its oracle: the capability refused (named on stderr), the oracle accepted, exit 1', async () => {
    const o = makeKeys(73);
    const c = makeKeys(74);
    const cap = file('c2.json', makeCapability({ oracleKeys: o, capKeys: c, question: 'Q?' }));
    const r = await runCli(['post', cap, file('o2.json', makeOracle({ keys: o })), '--node', base]);
    assert.equal(r.code, 1);
    assert.deepEqual((JSON.parse(r.stdout) as Results).results.map((x) => `${x.httpStatus} ${x.result ?? x.error?.code}`), ['422 unknown-oracle', '201 accepted']);
    assert.match(r.stderr, /1 of 2 refused/);
    assert.match(r.stderr, new RegExp(`${cap.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the node refused the capability: HTTP 422 unknown-oracle`));
  });

  test('stdin twice is a usage error; an undetectable file is named', async () => {
    const twice = await runCli(['post', '-', '-', '--node', base]);
    assert.equal(twice.code, 2, twice.stderr);
    assert.match(twice.stderr, /stdin \('-'\) can be given once/);
    const odd = file('odd.json', { hello: 1 });
    const r = await runCli(['post', file('o3.json', makeOracle({ keys: makeKeys(75) })), odd, '--node', base]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot tell what kind of message this is \(.*odd\.json\); give --type/);
  });
});
