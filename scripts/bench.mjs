#!/usr/bin/env node
// `npm run bench`: one JSON document on stdout, { node, browser }:
//  - node: bench/node-bench.ts through the Node bundle (wasm training rows by default,
//    WaterMAS replica overhead, tensor growth); knobs BENCH_* in that file;
//  - browser: bench/browser-bench.mjs in headless Chromium (webgpu, webgl); knobs BENCH_BROWSER_*.
// Progress goes to stderr. BENCH_SKIP_BROWSER=1 leaves the browser half out.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const node = (args) => spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

const build = spawnSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'vite.node.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
if (build.status !== 0) process.exit(build.status ?? 1);

const result = {};
let status = 0;
for (const [name, script] of [['node', join(root, 'dist-node', 'bench.js')], ['browser', join(root, 'bench', 'browser-bench.mjs')]]) {
  if (name === 'browser' && process.env.BENCH_SKIP_BROWSER) continue;
  const r = node([script]);
  try {
    result[name] = JSON.parse(r.stdout);
  } catch {
    result[name] = { error: `no JSON from ${name} bench (exit ${r.status})`, stdout: r.stdout.slice(-2000) };
  }
  if (r.status !== 0) status = r.status ?? 1;
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
process.exit(status);
