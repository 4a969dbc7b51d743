/** cli/bin.ts - the `mega` CLI entry for the built tree (`node dist/src/cli/bin.js …`, e.g. inside the Docker image, where no TypeScript loader is installed); bin/mega.mjs is the entry in a checkout. Imports cli. */
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
