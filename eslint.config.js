// eslint.config.js - lint rules, including the import boundaries between subsystems (STYLE.md section 2).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
const group = (from, message) => ({ group: from, message });

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'test-output/**', 'dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['web/**'],
    languageOptions: { globals: { ...globals.browser }, sourceType: 'module' },
  },
  {
    files: ['src/util/**'],
    rules: restrict([group(['../**'], 'util holds generic data structures: it imports nothing from the project')]),
  },
  {
    files: ['src/wire/**'],
    rules: restrict([group(['**/p2p/**', '**/mempool/**', '**/service/**', '**/api/**', '**/persist/**', '**/identity/**', '**/config/**', '**/cli/**', '**/node.ts', 'node:net', 'node:http', 'express'], 'wire is the codec: it knows nothing of sockets, peers, the mempool or HTTP (protocol schemas and types only)')]),
  },
  {
    files: ['src/p2p/**'],
    rules: restrict([group(['**/mempool/**', '**/api/**', '**/persist/**', '**/identity/**', '**/config/**', '**/cli/**', '**/node.ts', 'express'], 'p2p talks to the service interface and the wire codec, never to the mempool, HTTP or the config (node.ts hands it its slice)')]),
  },
  {
    files: ['src/config/**'],
    rules: restrict([group(['**/mempool/**', '**/service/**', '**/api/**', '**/p2p/**', '**/wire/**', '**/persist/**', '**/identity/**', '**/cli/**', '**/node.ts', 'node:net', 'node:http', 'express'], 'config only describes and checks settings (protocol helpers for keys and addresses); it builds nothing')]),
  },
  {
    files: ['src/oracle/**'],
    rules: restrict([group(['**/oracle-daemon/**', '**/mempool/**', '**/service/**', '**/api/**', '**/p2p/**', '**/wire/**', '**/persist/**', '**/identity/**', '**/config/**', '**/cli/**', '**/node.ts', 'express'], 'oracle is the oracle side (keys, nonces, attestation log): it never runs inside a node; protocol and dlc only')]),
  },
  {
    files: ['src/oracle-daemon/**'],
    rules: restrict([group(['**/mempool/**', '**/service/**', '**/api/**', '**/p2p/**', '**/wire/**', '**/persist/**', '**/identity/**', '**/config/**', '**/cli/**', '**/node.ts', 'express'], 'oracle-daemon is the mega-oracle service: it composes oracle, dlc and protocol and talks to nodes over their REST API only')]),
  },
  {
    files: ['src/oracle-facts/**'],
    rules: restrict([group(['**/mempool/**', '**/service/**', '**/api/**', '**/p2p/**', '**/wire/**', '**/persist/**', '**/identity/**', '**/config/**', '**/cli/**', '**/node.ts'], "oracle-facts runs in the oracle's process (fact endpoint, report answerer): protocol, dlc, oracle, lightning, util and express only, never a node's modules")]),
  },
  {
    files: ['src/daemon/**'],
    rules: restrict([group(['**/mempool/**', '**/service/**', '**/api/**', '**/p2p/**', '**/wire/**', '**/persist/**', '**/identity/**', '**/cli/**', '**/oracle/**', '**/oracle-daemon/**', '**/node.ts', 'express'], 'daemon holds the process-level helpers of app.ts (command line, launcher watch); app.ts composes them with node.ts')]),
  },
  {
    files: ['src/protocol/**'],
    rules: restrict([group(['**/mempool/**', '**/service/**', '**/api/**', '**/p2p/**', '**/wire/**', '**/config/**', '**/node.ts', 'node:net', 'express'], 'protocol is the domain core: it imports nothing from other subsystems (util data structures only)')]),
  },
  {
    files: ['src/mempool/**'],
    rules: restrict([group(['**/service/**', '**/api/**', '**/p2p/**', '**/wire/**', '**/config/**', '**/node.ts', 'node:net', 'node:http', 'express'], 'mempool imports only protocol: it never sees sockets, peers or HTTP')]),
  },
  {
    files: ['src/service/**'],
    rules: restrict([group(['**/api/**', '**/p2p/**', '**/wire/**', '**/node.ts', 'node:net', 'node:http', 'express'], 'service is called by api and p2p, never the reverse')]),
  },
  {
    files: ['src/api/**'],
    rules: restrict([group(['**/mempool/mempool.ts', '**/p2p/**', '**/wire/**', '**/node.ts'], 'api talks to the service, not to the mempool or the network')]),
  },
  {
    files: ['src/persist/**'],
    rules: restrict([group(['**/service/**', '**/api/**', '**/p2p/**', '**/wire/**', '**/config/**', '**/node.ts', 'node:net', 'node:http', 'express'], 'persist imports only protocol and mempool: node.ts hands it its config slice')]),
  },
  {
    files: ['src/identity/**'],
    rules: restrict([group(['**/mempool/mempool.ts', '**/api/**', '**/p2p/**', '**/wire/**', '**/config/**', '**/node.ts', 'express'], 'identity uses protocol and the service interface; node.ts hands it its config slice')]),
  },
  {
    files: ['src/facts/**'],
    rules: restrict([group(['**/mempool/**', '**/api/**', '**/p2p/**', '**/wire/**', '**/persist/**', '**/config/**', '**/cli/**', '**/oracle/**', '**/node.ts', 'express'], 'facts is the node\'s fact proxy and conflict finder: it uses the service interface, protocol and the guarded HTTP client; node.ts hands it its config slice')]),
  },
  {
    files: ['src/ohttp/**'],
    rules: restrict([group(['../**'], 'ohttp is Oblivious HTTP framing over its libraries (@hpke/core, bhttp-js): it imports nothing from the project')]),
  },
  {
    files: ['src/lightning/**'],
    rules: restrict([group(['../**'], 'lightning is the LND REST client: it imports nothing from the project, so node and oracle daemon can share it')]),
  },
  {
    files: ['src/dlc/**'],
    rules: restrict([group(['../**', '!../util/**', 'node:net', 'node:http', 'express'], 'dlc is pure DLC oracle cryptography: it imports only util and its libraries (tiny-secp256k1, @noble/curves), never mempool/service/api/p2p/wire/config/node.ts')]),
  },
  {
    files: ['src/contract/**'],
    rules: restrict([group(['**/mempool/**', '**/service/**', '**/api/**', '**/p2p/**', '**/wire/**', '**/persist/**', '**/identity/**', '**/config/**', '**/cli/**', '**/oracle/**', '**/daemon/**', '**/node.ts', 'node:net', 'node:http', 'express'], 'contract is pure DLC contract crypto and transactions: it imports only dlc, protocol and util, never mempool/service/api/p2p/node.ts or the network')]),
  },
  {
    files: ['src/chain/**'],
    rules: restrict([group(['../**', 'express'], 'chain is the bitcoind JSON-RPC client: it imports nothing from the project, so any daemon can use it')]),
  },
  {
    files: ['src/wallet/**'],
    rules: restrict([group(['**/mempool/**', '**/service/**', '**/api/**', '**/p2p/**', '**/wire/**', '**/persist/**', '**/identity/**', '**/config/**', '**/cli/**', '**/oracle/**', '**/oracle-daemon/**', '**/trader/**', '**/trader-daemon/**', '**/node.ts', 'express'], 'wallet is the trader\'s BIP84 keys and coins: it imports only chain, contract, protocol and util')]),
  },
  {
    files: ['src/trader/**'],
    rules: restrict([group(['**/mempool/**', '**/service/**', '**/api/**', '**/p2p/**', '**/wire/**', '**/persist/**', '**/identity/**', '**/config/**', '**/cli/**', '**/oracle/**', '**/oracle-daemon/**', '**/trader-daemon/**', '**/node.ts', 'node:net', 'node:http', 'express'], 'trader is the contract engine: it composes contract, dlc, protocol, wallet and chain through ports and never opens sockets itself')]),
  },
  {
    files: ['src/trader-daemon/**'],
    rules: restrict([group(['**/mempool/**', '**/service/**', '**/api/**', '**/p2p/**', '**/wire/**', '**/persist/**', '**/identity/**', '!**/identity/guarded-http.ts', '**/config/**', '**/cli/**', '**/oracle/**', '**/oracle-daemon/**', '**/node.ts', 'express'], 'trader-daemon is the mega-trader service: it composes trader, wallet and chain and talks to nodes over their REST API only')]),
  },
  {
    files: ['src/cli/**'],
    rules: restrict([group(['**/mempool/**', '**/service/**', '**/api/**', '**/p2p/**', '**/node.ts'], 'the CLI is a client: it uses protocol and talks to a node over HTTP')]),
  },
);
