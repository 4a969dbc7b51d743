#!/usr/bin/env node
/*! bin/mega.mjs - launcher of the `mega` CLI: registers the tsx loader so the TypeScript sources run as is, then runs src/cli/main.ts. */
import { register } from 'tsx/esm/api';

// tsconfig: false - compile the CLI the same way whatever tsconfig.json sits in the caller's directory.
register({ tsconfig: false });
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
