#!/usr/bin/env node
// `wmlab`: the lab's command line. Runs the Node bundle of the engine (dist-node/), building it
// on first use, because tfjs' extension-less ES modules cannot be loaded by Node directly.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist-node', 'wmlab.js');
if (!existsSync(bundle)) {
  process.stderr.write('wmlab: building the Node bundle (first run)...\n');
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'vite.node.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    process.stderr.write('wmlab: could not build dist-node/ (run `npm ci` first)\n');
    process.exit(1);
  }
}
const { main } = await import(pathToFileURL(bundle).href);
process.exitCode = await main(process.argv.slice(2));
