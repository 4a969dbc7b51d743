// scripts/build.mjs - `npm run build`: compile app.ts and src/ to plain JavaScript in dist/ (tsc, tsconfig.build.json, .ts imports rewritten to .js) and copy what the code reads next to itself at run time: the worker files (src/**/*.mjs), the monitoring page (web/), the OpenAPI spec and a package.json (ES module type, version). `node dist/app.js cfg.json` then runs the node without a TypeScript loader.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, 'dist');

fs.rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (tsc.status !== 0) {
  fs.rmSync(dist, { recursive: true, force: true }); // never leave a half-built tree that looks runnable
  console.error('build: tsc failed');
  process.exit(1);
}

/** Copy every file under `from` whose name passes `keep`, keeping the folder layout. */
function copyTree(from, to, keep = () => true) {
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    if (e.isDirectory()) copyTree(src, dst, keep);
    else if (e.isFile() && keep(e.name)) {
      fs.mkdirSync(to, { recursive: true });
      fs.copyFileSync(src, dst);
    }
  }
}

// Worker threads load these plain-JS files by URL relative to the compiled module (protocol/*-worker.mjs).
copyTree(path.join(root, 'src'), path.join(dist, 'src'), (n) => n.endsWith('.mjs'));
// Served as static files; node.ts finds them at ../web from dist/src/node.js.
copyTree(path.join(root, 'web'), path.join(dist, 'web'));
// Schemas and routes come from the spec (protocol/schema.ts reads ../../wolfram-mega-spec.yaml).
fs.copyFileSync(path.join(root, 'wolfram-mega-spec.yaml'), path.join(dist, 'wolfram-mega-spec.yaml'));
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
// dist/package.json: marks the .js files as ES modules and carries the version (GET /status, --version).
fs.writeFileSync(
  path.join(dist, 'package.json'),
  `${JSON.stringify({ name: pkg.name, version: pkg.version, private: true, type: 'module', description: 'built by `npm run build`; run: node dist/app.js <config.json>', engines: pkg.engines }, null, 2)}\n`,
);
console.log(`build: dist/ ready (node dist/app.js <config.json>)`);
