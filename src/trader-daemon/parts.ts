/** trader-daemon/parts.ts - the concrete parts mega-trader composes: the bitcoind JSON-RPC client (chain/rpc.ts), the BIP84 wallet (wallet/wallet.ts) and the contract engine (trader/engine.ts). Imports chain, wallet and trader. */
import { BitcoindRpc } from '../chain/rpc.ts';
import { Engine } from '../trader/engine.ts';
import { HdWallet } from '../wallet/wallet.ts';
import type { TraderParts } from './daemon.ts';

/** The production parts. */
export const TRADER_PARTS: TraderParts = {
  createChain: (c) =>
    new BitcoindRpc({
      url: c.rpcUrl,
      ...(c.rpcUser !== null && c.rpcPassword !== null ? { user: c.rpcUser, password: c.rpcPassword } : {}),
      ...(c.rpcCookieFile !== null ? { cookieFile: c.rpcCookieFile } : {}),
      timeoutMs: c.rpcTimeoutMs,
    }),
  createWallet: async (o) => HdWallet.open({ dir: o.dataDir, chain: o.chainName, backend: o.chain, ...(o.birthdayHeight !== null ? { birthdayHeight: o.birthdayHeight } : {}) }),
  createEngine: async (deps) => new Engine(deps),
};
