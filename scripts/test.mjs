#!/usr/bin/env node
// `npm test`: the whole suite, in order: types, lint, unit tests (vitest, Node, cpu),
// the web build, browser tests (playwright-core + Debian's Chromium).
// Ends with one plain line "N passed, M failed[, K skipped]" counting unit + browser tests.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const artifacts = join(root, 'tests', 'browser', '.artifacts');
mkdirSync(artifacts, { recursive: true });
const vitestJson = join(artifacts, 'vitest.json');
const browserJson = join(artifacts, 'browser.json');
rmSync(vitestJson, { force: true });
rmSync(browserJson, { force: true });

const npx = (args, env = {}) => ({ cmd: process.execPath, args: [join(root, 'node_modules', '.bin', args[0]), ...args.slice(1)], env });
const steps = [
  ['typecheck', npx(['tsc', '-p', 'tsconfig.engine.json']), npx(['tsc', '-p', 'tsconfig.worker.json']), npx(['tsc', '-p', 'tsconfig.ui.json']), npx(['tsc', '-p', 'tsconfig.node.json'])],
  ['lint', npx(['eslint', '.'])],
  ['unit', npx(['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`])],
  ['build', npx(['vite', 'build', '--logLevel', 'warn'])],
  ['browser', { cmd: process.execPath, args: [join(root, 'tests', 'browser', 'run.mjs')], env: { BROWSER_RESULTS: browserJson } }],
];

const failedSteps = [];
for (const [name, ...cmds] of steps) {
  process.stdout.write(`\n== ${name} ==\n`);
  for (const { cmd, args, env } of cmds) {
    const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    if (r.status !== 0) {
      failedSteps.push(name);
      break;
    }
  }
  // a broken build makes the browser tests meaningless
  if (name === 'build' && failedSteps.includes('build')) break;
}

let passed = 0, failed = 0, skipped = 0;
try {
  const v = JSON.parse(readFileSync(vitestJson, 'utf8'));
  passed += v.numPassedTests;
  failed += v.numFailedTests;
  skipped += v.numPendingTests + (v.numTodoTests ?? 0);
} catch {
  /* unit step did not run or did not write its report */
}
try {
  const b = JSON.parse(readFileSync(browserJson, 'utf8'));
  passed += b.passed;
  failed += b.failed;
  skipped += b.skipped;
} catch {
  /* browser step did not run */
}
if (failedSteps.length) process.stdout.write(`\nfailed steps: ${failedSteps.join(', ')}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(failedSteps.length || failed ? 1 : 0);
