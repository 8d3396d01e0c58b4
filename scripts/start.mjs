#!/usr/bin/env node
// `npm start`: one command on a fresh machine. Installs dependencies (npm ci) if needed,
// fills public/datasets/cifar10/ (existing files, $CIFAR10_DIR, the official download,
// else the lab uses its embedded synthetic set), then starts the lab and prints its URL.
import { existsSync } from 'node:fs';
import { spawnSync, spawn } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`start: "${cmd} ${args.join(' ')}" failed`);
    process.exit(r.status ?? 1);
  }
};

if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
  console.log('start: installing dependencies (npm ci)...');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

console.log('start: setting up the dataset...');
run(process.execPath, [join(root, 'bin', 'wmlab.mjs'), 'data', '--target', join(root, 'public', 'datasets', 'cifar10')]);

const port = process.env.PORT ?? '5173';
console.log('start: starting the lab...');
const vite = spawn(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), '--port', port, '--strictPort', ...(process.env.HOST ? ['--host', process.env.HOST] : [])], { cwd: root, stdio: 'inherit' });
const stop = () => vite.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
vite.on('exit', (code) => process.exit(code ?? 0));
