#!/usr/bin/env node
// `npm run bench`: builds the Node bundle and runs the Node benchmarks (JSON on stdout).
// Environment knobs: see bench/node-bench.ts.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const build = spawnSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'vite.node.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
if (build.status !== 0) process.exit(build.status ?? 1);
const r = spawnSync(process.execPath, [join(root, 'dist-node', 'bench.js')], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
