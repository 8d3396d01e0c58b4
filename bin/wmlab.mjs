#!/usr/bin/env node
// `wmlab`: the lab's command line. Runs the Node bundle of the engine (dist-node/), building it
// when it is missing or older than its sources (src/protocol, src/engine, src/cli), because tfjs' extension-less ES modules cannot
// be loaded by Node directly.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { setInterval } from 'node:timers';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist-node', 'wmlab.js');

/** Newest modification time of the files under `dir`. */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

// A sweep's children (WMLAB_NO_REBUILD) all run the bundle the sweep started with, even if the
// sources change meanwhile; they exit when the sweep that started them is gone (WMLAB_PARENT_PID).
const rebuild = !process.env.WMLAB_NO_REBUILD || !existsSync(bundle);
if (process.env.WMLAB_PARENT_PID) {
  const parent = Number(process.env.WMLAB_PARENT_PID);
  setInterval(() => {
    if (process.ppid !== parent) process.exit(129);
  }, 1000).unref();
}
const sources = rebuild ? ['protocol', 'engine', 'cli'].map((d) => newest(join(root, 'src', d))) : [0];
if (rebuild && (!existsSync(bundle) || statSync(bundle).mtimeMs < Math.max(...sources))) {
  process.stderr.write('wmlab: building the Node bundle...\n');
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'vite.node.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    process.stderr.write('wmlab: could not build dist-node/ (run `npm ci` first)\n');
    process.exit(1);
  }
}
const { main } = await import(pathToFileURL(bundle).href);
process.exitCode = await main(process.argv.slice(2));
