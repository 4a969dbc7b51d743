/**
 * bench/lib/build-runners.ts - compile the one-process-per-node runners to plain JavaScript once per benchmark run
 * (esbuild: the repo's own TypeScript bundled, packages left to Node's resolver), so each of the 100 processes starts
 * without a TypeScript loader: `--import tsx` costs ~33 MiB of RSS and seconds of start-up per process on 2 cores.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
/** Git- and lint-ignored (test-output/), inside the checkout so the bundles resolve `node_modules` like the sources do. */
export const BUILD_DIR = path.join(REPO, 'test-output', 'bench-procs');

/**
 * src/ reads files next to itself (`new URL('../package.json', import.meta.url)`, the OpenAPI spec, the verifier
 * worker .mjs, web/): in a bundle every module's import.meta.url is the bundle's, so each source file gets its own
 * original URL back and those files are read from the checkout, unchanged.
 */
const ownImportMetaUrl: Plugin = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await fs.promises.readFile(args.path, 'utf8');
      return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
    });
  },
};

/**
 * Build `bench/lib/<name>.ts` → `<BUILD_DIR>/<name>.mjs`; returns the output path. `bundlePackages`: put the npm
 * packages in the bundle too (libp2p's ~500 small ES modules take seconds per process to resolve and load on a busy
 * 2-core machine; Mega's packages stay external: they include native addons and worker files).
 */
export async function buildRunner(name: string, bundlePackages = false): Promise<string> {
  const outfile = path.join(BUILD_DIR, `${name}.mjs`);
  await build({
    entryPoints: [path.join(REPO, 'bench', 'lib', `${name}.ts`)],
    outfile,
    bundle: true,
    ...(bundlePackages ? {} : { packages: 'external' as const }),
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    plugins: [ownImportMetaUrl],
  });
  return outfile;
}
