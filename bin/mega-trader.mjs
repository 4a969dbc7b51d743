#!/usr/bin/env node
/*! bin/mega-trader.mjs - launcher of the `mega-trader` daemon: registers the tsx loader so the TypeScript sources run as is, then runs src/trader-daemon/main.ts. */
import { register } from 'tsx/esm/api';

// tsconfig: false - compile the daemon the same way whatever tsconfig.json sits in the caller's directory.
register({ tsconfig: false });
const { main } = await import('../src/trader-daemon/main.ts');
await main(process.argv.slice(2));
