// test/unit/trader/_harness.ts - builds trader engines for the tests: a party is an engine on its own data dir with its own identity key and wallet, sharing one chain backend, one MegaPort and one set of local peers; restart() rebuilds the engine on the same data dir and wallet (a crashed daemon coming back).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { publicKeyOf } from '../../../src/protocol/keys.ts';
import { Engine } from '../../../src/trader/engine.ts';
import type { ChainBackend } from '../../../src/chain/types.ts';
import type { EngineDeps, MegaPort } from '../../../src/trader/types.ts';
import type { LocalPeers } from './_mega.ts';
import { TestWallet } from './_wallet.ts';

export interface Party {
  name: string;
  engine: Engine;
  wallet: TestWallet;
  dir: string;
  secret: Uint8Array;
  pubkey: string;
  contact: string;
  deps: EngineDeps;
  restart(over?: Partial<EngineDeps>): Promise<Engine>;
}

export function makeParty(name: string, env: { chain: ChainBackend; mega: MegaPort; peers: LocalPeers; height: number }, over: Partial<EngineDeps> = {}): Party {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mega-trader-${name}-`));
  const secret = new Uint8Array(crypto.randomBytes(32));
  const wallet = new TestWallet(dir, env.chain, env.height);
  const contact = `http://${name}.test/${crypto.randomBytes(4).toString('hex')}`;
  const deps: EngineDeps = {
    dataDir: dir,
    wallet,
    chain: env.chain,
    mega: env.mega,
    peers: env.peers,
    identitySecret: secret,
    contact,
    offerDifficulty: 1,
    minConfirmations: 1,
    ...over,
  };
  const p: Party = {
    name,
    engine: new Engine(deps),
    wallet,
    dir,
    secret,
    pubkey: publicKeyOf(Buffer.from(secret).toString('hex')),
    contact,
    deps,
    async restart(more: Partial<EngineDeps> = {}) {
      await p.engine.close();
      p.deps = { ...p.deps, ...more };
      p.engine = new Engine(p.deps);
      env.peers.engines.set(contact, p.engine);
      return p.engine;
    },
  };
  env.peers.engines.set(contact, p.engine);
  return p;
}

export function removeParty(p: Party): void {
  fs.rmSync(p.dir, { recursive: true, force: true });
}
