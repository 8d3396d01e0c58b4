#!/usr/bin/env node
/**
 * Browser half of `npm run bench`: builds bench/browser/bench.html (with vite, into a
 * temporary folder), serves it with COOP/COEP (vite preview, like tests/browser/run.mjs),
 * opens it in headless Chromium (playwright-core) and prints the page's result as one JSON
 * document on stdout; progress goes to stderr.
 *
 *   node bench/browser-bench.mjs
 *
 * Environment knobs (comma lists): BENCH_BROWSER_BACKENDS (default webgpu,webgl; wasm, cpu
 * also work), BENCH_BROWSER_MODELS (cnn), BENCH_BROWSER_BATCHES (16), BENCH_BROWSER_STEPS
 * (timed steps per row after one warm-up step, default 1), BENCH_BROWSER_TIMEOUT_S (whole
 * page run, default 900), CHROMIUM_PATH (default /usr/bin/chromium), CHROMIUM_EXTRA_ARGS (flags
 * added to the headless ones, space-separated; bench/gpu-bench.mjs sets some for a hardware GPU).
 * Without Chromium it prints {"skipped": "..."} and exits 0. Exit 1 when the page fails or
 * times out (the JSON then has "error", and "partial" rows where some finished).
 */
import { existsSync } from 'node:fs';
import { CHROMIUM, CHROMIUM_ARGS } from '../tests/browser/chromium.mjs';
import { buildAndServe } from '../tests/browser/serve.mjs';
import { dirname, resolve } from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, URLSearchParams } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TIMEOUT_MS = Number(process.env.BENCH_BROWSER_TIMEOUT_S ?? 900) * 1000;

const log = (s) => process.stderr.write(`browser-bench: ${s}\n`);
const print = (obj) => process.stdout.write(`${JSON.stringify(obj, null, 2)}\n`);

if (!existsSync(CHROMIUM)) {
  print({ skipped: `${CHROMIUM} not found (apt-get install chromium, or set CHROMIUM_PATH)` });
  process.exit(0);
}

/** The page query from the BENCH_BROWSER_* variables (unset ones keep the page defaults). */
function pageQuery() {
  const q = new URLSearchParams();
  for (const [env, key] of [
    ['BENCH_BROWSER_BACKENDS', 'backends'],
    ['BENCH_BROWSER_MODELS', 'models'],
    ['BENCH_BROWSER_BATCHES', 'batches'],
    ['BENCH_BROWSER_STEPS', 'steps'],
  ]) {
    const v = process.env[env]?.trim();
    if (v) q.set(key, v);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}


const t0 = Date.now();
const cleanups = [];
let exitCode = 0;
try {
  const { chromium } = await import('playwright-core');
  log('building the bench page');
  const served = await buildAndServe(ROOT, { bench: resolve(ROOT, 'bench/browser/bench.html') }, 'wmlab-browser-bench-');
  cleanups.unshift(served.close);
  const extra = (process.env.CHROMIUM_EXTRA_ARGS ?? '').split(/\s+/).filter(Boolean);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...extra] });
  cleanups.unshift(() => browser.close());
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('console', (msg) => {
    const text = msg.text();
    if (text.startsWith('bench: ')) log(text.slice(7));
    else if (msg.type() === 'error') pageErrors.push(`console.error: ${text}`);
  });
  page.on('pageerror', (err) => pageErrors.push(`page error: ${err.message}`));
  const url = `${served.url}/bench/browser/bench.html${pageQuery()}`;
  log(`opening ${url}`);
  await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
  const end = Date.now() + TIMEOUT_MS;
  let result;
  while (!(result = await page.evaluate(() => globalThis.__bench))) {
    if (Date.now() > end) break;
    await sleep(500);
  }
  const browserVersion = browser.version();
  if (!result) {
    const partial = await page.evaluate(() => globalThis.__benchPartial).catch(() => undefined);
    print({ error: `timed out after ${TIMEOUT_MS / 1000} s`, browser: browserVersion, ...(partial ? { partial } : {}), pageErrors });
    exitCode = 1;
  } else {
    print({ browser: browserVersion, ...result, ...(pageErrors.length ? { pageErrors } : {}), wallSeconds: (Date.now() - t0) / 1000 });
    if (result.error) exitCode = 1;
  }
} catch (e) {
  print({ error: e instanceof Error ? e.message : String(e) });
  exitCode = 1;
} finally {
  for (const clean of cleanups) await Promise.resolve(clean()).catch(() => {});
}
log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
process.exit(exitCode);
