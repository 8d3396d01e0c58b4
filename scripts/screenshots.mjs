#!/usr/bin/env node
/* global document */
/**
 * Screenshots of every lecture preset's stage (the projector view a class sees: only the preset's
 * panels, side by side on one screen) at 1280x720 and 1920x1080, for the README:
 * docs/screenshots/preset-<id>-<width>x<height>.png, taken right after load (no training), plus
 * docs/screenshots/stage-sharpness-short-run-<width>x<height>.png: the sharpness stage after a
 * short compare run (1 epoch on 256 images, so that the charts have lines; a real lecture run
 * uses the preset's 2 epochs on 2,000 images). Needs dist/ (`npx vite build`; built here when
 * missing) and Chromium.
 *
 *   node scripts/screenshots.mjs [--no-run]
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, CHROMIUM_ARGS, freePort } from '../tests/browser/chromium.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'docs/screenshots');
const SIZES = [
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
];
const withRun = !process.argv.includes('--no-run');

if (!existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} not found (apt-get install chromium, or set CHROMIUM_PATH)`);
  process.exit(1);
}
if (!existsSync(join(ROOT, 'dist/index.html'))) {
  console.log('dist/ is missing: running `npx vite build` first');
  const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
}

const { chromium } = await import('playwright-core');
const vite = await import('vite');
const port = await freePort();
const server = await vite.preview({ root: ROOT, logLevel: 'warn', preview: { port, strictPort: true, host: '127.0.0.1', open: false } });
const url = `http://127.0.0.1:${port}`;
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

/** Waits until the backend badge shows a measured time per step, no background measurement, and the data is loaded. */
async function settled(page) {
  const badge = page.getByTestId('backend-badge');
  const data = page.getByTestId('dataset-source');
  const t0 = Date.now();
  while (Date.now() - t0 < 120_000) {
    const backend = (await page.getByTestId('backend-ms').count()) > 0 && (await badge.getAttribute('data-measuring')) === '';
    if (backend && (await data.getAttribute('data-dataset'))) return;
    await page.waitForTimeout(250);
  }
  throw new Error('the backend and data were not ready within 120 s');
}

let failed = false;
try {
  await mkdir(OUT, { recursive: true });
  const probe = await browser.newPage();
  await probe.goto(url, { waitUntil: 'load' });
  await probe.locator('#preset-select').waitFor({ timeout: 30_000 });
  const ids = (await probe.locator('#preset-select option').evaluateAll((os) => os.map((o) => o.value))).filter((v) => v !== '');
  await probe.close();
  if (ids.length === 0) throw new Error('the preset picker lists no presets');

  for (const size of SIZES) {
    const context = await browser.newContext({ viewport: size, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    for (const id of ids) {
      // A fresh load per preset: what a class sees when the lecturer opens the preset's link.
      await page.goto('about:blank');
      await page.goto(`${url}/#preset=${id}&stage=1`, { waitUntil: 'load' });
      await page.locator(`.app[data-stage="${id}"]`).waitFor({ timeout: 30_000 });
      await settled(page);
      await page.evaluate(() => document.fonts.ready);
      await page.waitForTimeout(400);
      const file = join(OUT, `preset-${id}-${size.width}x${size.height}.png`);
      await page.screenshot({ path: file });
      console.log(file.slice(ROOT.length + 1));
    }
    if (withRun) {
      await page.goto('about:blank');
      await page.goto(`${url}/#preset=sharpness-tradeoff&stage=1&epochs=1&train=256&test=128`, { waitUntil: 'load' });
      await settled(page);
      await page.getByRole('button', { name: 'Start compare' }).click();
      await page.getByTestId('compare-mode-result').waitFor({ timeout: 600_000 });
      await page.waitForTimeout(600);
      const file = join(OUT, `stage-sharpness-short-run-${size.width}x${size.height}.png`);
      await page.screenshot({ path: file });
      console.log(file.slice(ROOT.length + 1));
    }
    if (errors.length) {
      failed = true;
      console.error(`page errors: ${errors.join('; ')}`);
    }
    await context.close();
  }
} catch (e) {
  failed = true;
  console.error(`screenshots failed: ${e instanceof Error ? e.message : String(e)}`);
} finally {
  await browser.close().catch(() => {});
  await new Promise((r) => server.httpServer.close(() => r()));
}
process.exit(failed ? 1 : 0);
