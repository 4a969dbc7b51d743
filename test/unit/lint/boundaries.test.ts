// test/unit/lint/boundaries.test.ts - owns the proof that the import fences of eslint.config.js hold: every folder of src/ refuses node.ts, and each subsystem refuses the imports STYLE.md section 2 forbids it (a forbidden import fails lint), while its allowed imports pass.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve(import.meta.dirname, '../../..');
let eslint: ESLint;

/** Rule ids ESLint reports for `code` as if it were the file `file` (relative to the repository root). */
async function ruleIds(file: string, code: string): Promise<string[]> {
  const [res] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (res?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

/** [file, forbidden import] pairs: each must be refused by no-restricted-imports. */
const FORBIDDEN: [string, string][] = [
  ['src/trader-daemon/x.ts', "import { Mempool } from '../mempool/mempool.ts';"],
  ['src/trader-daemon/x.ts', "import { BidVerifier } from '../identity/bids.ts';"],
  ['src/trader-daemon/x.ts', "import { writePrivateFile } from '../oracle/durable.ts';"],
  ['src/wire/x.ts', "import { Peer } from '../p2p/peer.ts';"],
  ['src/wire/x.ts', "import net from 'node:net';"],
  ['src/wire/x.ts', "import { Mempool } from '../mempool/mempool.ts';"],
  ['src/p2p/x.ts', "import { Mempool } from '../mempool/mempool.ts';"],
  ['src/p2p/x.ts', "import { createApiApp } from '../api/app.ts';"],
  ['src/p2p/x.ts', "import type { MegaConfig } from '../config/schema.ts';"],
  ['src/config/x.ts', "import { Pool } from '../p2p/pool.ts';"],
  ['src/config/x.ts', "import { MegaService } from '../service/service.ts';"],
  ['src/mempool/x.ts', "import { MegaService } from '../service/service.ts';"],
  ['src/mempool/x.ts', "import { Relay } from '../p2p/relay.ts';"],
  ['src/service/x.ts', "import { Relay } from '../p2p/relay.ts';"],
  ['src/service/x.ts', "import express from 'express';"],
  ['src/api/x.ts', "import { Mempool } from '../mempool/mempool.ts';"],
  ['src/api/x.ts', "import { Pool } from '../p2p/pool.ts';"],
  ['src/protocol/x.ts', "import { Mempool } from '../mempool/mempool.ts';"],
  ['src/persist/x.ts', "import { MegaService } from '../service/service.ts';"],
  ['src/identity/x.ts', "import { Pool } from '../p2p/pool.ts';"],
  ['src/cli/x.ts', "import { Mempool } from '../mempool/mempool.ts';"],
  ['src/util/x.ts', "import { sha256Hex } from '../protocol/hash.ts';"],
  ['src/lightning/x.ts', "import { sha256Hex } from '../protocol/hash.ts';"],
  ['src/ohttp/x.ts', "import { sha256Hex } from '../protocol/hash.ts';"],
  ['src/facts/x.ts', "import { Mempool } from '../mempool/mempool.ts';"],
  ['src/facts/x.ts', "import express from 'express';"],
  ['src/oracle-facts/x.ts', "import { MegaService } from '../service/service.ts';"],
  ['src/oracle-facts/x.ts', "import { Mempool } from '../mempool/mempool.ts';"],
  ['src/oracle-facts/x.ts', "import { parseConfig } from '../config/load.ts';"],
  ['src/oracle-facts/x.ts', "import { BidVerifier } from '../identity/bids.ts';"],
  ['src/contract/x.ts', "import { MegaService } from '../service/service.ts';"],
  ['src/contract/x.ts', "import { Pool } from '../p2p/pool.ts';"],
  ['src/contract/x.ts', "import { Mempool } from '../mempool/mempool.ts';"],
  ['src/contract/x.ts', "import { createApiApp } from '../api/app.ts';"],
  ['src/contract/x.ts', "import net from 'node:net';"],
  ['src/oracle-daemon/x.ts', "import { Mempool } from '../mempool/mempool.ts';"],
  ['src/oracle-daemon/x.ts', "import { CONFIG_SCHEMA } from '../config/schema.ts';"],
  ['src/oracle-daemon/x.ts', "import express from 'express';"],
  ['src/oracle/x.ts', "import { OracleDaemon } from '../oracle-daemon/daemon.ts';"],
];

/** [file, allowed import] pairs: the layering the fences must not break. */
const ALLOWED: [string, string][] = [
  ['src/trader-daemon/x.ts', "import { guardedRequest } from '../identity/guarded-http.ts';\nexport const g = guardedRequest;"],
  ['src/trader-daemon/x.ts', "import { checkFields } from '../daemon/config-spec.ts';\nexport const c = checkFields;"],
  ['src/wire/x.ts', "import type { SchemaRegistry } from '../protocol/schema.ts';\nexport type T = SchemaRegistry;"],
  ['src/p2p/x.ts', "import type { MegaService } from '../service/service.ts';\nexport type T = MegaService;"],
  ['src/p2p/x.ts', "import { encodeFrame } from '../wire/frame.ts';\nexport const f = encodeFrame;"],
  ['src/service/x.ts', "import type { Mempool } from '../mempool/mempool.ts';\nexport type T = Mempool;"],
  ['src/mempool/x.ts', "import type { OracleId } from '../protocol/types.ts';\nexport type T = OracleId;"],
  ['src/oracle-facts/x.ts', "import type { Signer } from '../oracle/signer.ts';\nimport type { LndClient } from '../lightning/lnd.ts';\nimport express from 'express';\nexport type T = [Signer, LndClient];\nexport const e = express;"],
  ['src/contract/x.ts', "import { verifyAttestation } from '../dlc/verify.ts';\nexport const v = verifyAttestation;"],
  ['src/contract/x.ts', "import type { OracleId } from '../protocol/types.ts';\nexport type T = OracleId;"],
  ['src/oracle-daemon/x.ts', "import { DlcOracleState } from '../oracle/dlc-oracle.ts';\nexport const d = DlcOracleState;"],
  ['src/oracle-daemon/x.ts', "import { watchLaunchers } from '../daemon/launcher.ts';\nexport const w = watchLaunchers;"],
];

describe('import fences (eslint.config.js, STYLE.md section 2)', () => {
  before(() => {
    eslint = new ESLint({ cwd: root });
  });

  it('every folder of src/ refuses an import of node.ts (the composition root)', async () => {
    const folders = fs.readdirSync(path.join(root, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    assert.ok(folders.length >= 11, `expected the subsystem folders of src/, found ${folders.join(', ')}`);
    for (const f of folders) {
      const ids = await ruleIds(`src/${f}/x.ts`, "import { MegaNode } from '../node.ts';\nexport const n = MegaNode;");
      assert.ok(ids.includes('no-restricted-imports'), `src/${f} has no import fence: importing ../node.ts from it must fail lint, got [${ids.join(', ')}]`);
    }
  });

  for (const [file, code] of FORBIDDEN) {
    it(`${path.dirname(file)} refuses: ${code}`, async () => {
      const ids = await ruleIds(file, `${code}\nexport {};`);
      assert.ok(ids.includes('no-restricted-imports'), `expected no-restricted-imports for ${code} in ${file}, got [${ids.join(', ')}]`);
    });
  }

  for (const [file, code] of ALLOWED) {
    it(`${path.dirname(file)} allows: ${code.split('\n')[0]}`, async () => {
      const ids = await ruleIds(file, code);
      assert.deepEqual(ids, [], `expected ${file} to lint clean with ${code.split('\n')[0]}`);
    });
  }
});
