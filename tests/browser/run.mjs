#!/usr/bin/env node
/**
 * Browser tests (cases in tests/browser/cases/*.mjs, helpers in harness.mjs): the built app (dist/, served by `vite preview` with COOP/COEP) and one test
 * page (built from tests/browser/pages/ into a temporary folder) in headless Chromium through
 * playwright-core.
 *
 *   node tests/browser/run.mjs [--grep REGEXP] [--screenshot PATH] [--extended] [--headed]
 *
 * Prints one line per test and a final summary `N passed, M failed` (`, K skipped` when some
 * were skipped); exits non-zero on failure. Without /usr/bin/chromium it skips (exit 0),
 * unless REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
 * Expects dist/ from `vite build`; builds it only when it is missing.
 */
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.mjs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

if (!existsSync(CHROMIUM)) {
  if (process.env.REQUIRE_BROWSER === '1') {
    console.log(`browser tests FAILED: ${CHROMIUM} not found (apt-get install chromium); REQUIRE_BROWSER=1`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  console.log(`browser tests skipped: ${CHROMIUM} not found (apt-get install chromium)`);
  process.exit(0);
}

if (!existsSync(resolve(ROOT, 'dist/index.html'))) {
  console.log('dist/ is missing: running `npx vite build` first');
  const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    console.log('vite build failed');
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

const { chromium } = await import('playwright-core');
const { closeAll, extended, grep, headed, setBrowser } = await import('./harness.mjs');

/** Every case file in tests/browser/cases/, in name order (the app-page cases share one page). */
const caseDir = resolve(ROOT, 'tests/browser/cases');
const tests = [];
for (const file of (await readdir(caseDir)).filter((f) => f.endsWith('.mjs')).sort()) {
  tests.push(...(await import(pathToFileURL(join(caseDir, file)).href)).default);
}
let browser;

// ---------------------------------------------------------------------------------------
// Runner

let passed = 0;
let failed = 0;
let skipped = 0;
const t0 = Date.now();
try {
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: !headed, args: CHROMIUM_ARGS });
  setBrowser(browser);
  for (const t of tests) {
    if ((grep && !new RegExp(grep).test(t.name)) || (t.extended && !extended)) {
      skipped++;
      console.log(`skip  ${t.name}`);
      continue;
    }
    const started = Date.now();
    let timer;
    try {
      const detail = await Promise.race([
        t.run(),
        new Promise((_, rej) => {
          timer = setTimeout(() => rej(new Error(`test timed out after ${t.timeout / 1000} s`)), t.timeout);
        }),
      ]);
      passed++;
      console.log(`ok    ${t.name} (${((Date.now() - started) / 1000).toFixed(1)} s)${detail ? ` — ${detail}` : ''}`);
    } catch (e) {
      failed++;
      console.log(`FAIL  ${t.name} (${((Date.now() - started) / 1000).toFixed(1)} s): ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      clearTimeout(timer);
    }
  }
} catch (e) {
  failed++;
  console.log(`FAIL  browser setup: ${e instanceof Error ? e.message : String(e)}`);
} finally {
  // Closing must not hang the suite: Chromium once took minutes to close a page whose software GPU
  // was busy. Past the limit the suite goes on; playwright kills the browser when the process exits.
  const CLOSE_LIMIT_MS = 30_000;
  const within = async (what, promise) => {
    let timer;
    const late = new Promise((resolve) => (timer = setTimeout(() => resolve('late'), CLOSE_LIMIT_MS)));
    if ((await Promise.race([promise.then(() => 'closed', () => 'closed'), late])) === 'late') console.log(`note  ${what} did not close within ${CLOSE_LIMIT_MS / 1000} s; going on`);
    clearTimeout(timer);
  };
  await within('the app pages and servers', closeAll());
  await within('the browser', browser?.close() ?? Promise.resolve());
}
console.log(`browser suite took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
// npm test adds these counts to its own closing line
if (process.env.BROWSER_RESULTS) await writeFile(process.env.BROWSER_RESULTS, JSON.stringify({ passed, failed, skipped }));
process.exit(failed > 0 ? 1 : 0);
