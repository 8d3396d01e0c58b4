#!/usr/bin/env node
/* global document, window, Image */
/**
 * Screenshots of every lecture preset in the projector theme, for the README:
 * docs/screenshots/preset-<id>.png (the configured view: header, preset card, controls; no
 * training). Needs dist/ (`npx vite build`; built here when missing) and Chromium.
 *
 *   node scripts/screenshots.mjs [--wait SECONDS]
 *
 * --wait: how long to wait for the backend and the sample images before the first shot
 * (default 60; the shots are taken anyway, with the badge still "starting…", when they take
 * longer). Each image: the header and the preset card on top, the panel the preset points to below.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, CHROMIUM_ARGS, freePort } from '../tests/browser/chromium.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'docs/screenshots');
const argv = process.argv.slice(2);
const waitSeconds = argv.includes('--wait') ? Number(argv[argv.indexOf('--wait') + 1]) : 60;
const VIEWPORT = { width: 1600, height: 1300 };

if (!existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} not found (apt-get install chromium, or set CHROMIUM_PATH)`);
  process.exit(1);
}
if (!existsSync(join(ROOT, 'dist/index.html'))) {
  console.log('dist/ is missing: running `npx vite build` first');
  const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
}

/** Stacks PNG images vertically (on the page's background) with a canvas in a blank page; returns the PNG bytes. */
async function stackPngs(page, pngs) {
  const dataUrl = await page.evaluate(async (b64s) => {
    const images = await Promise.all(
      b64s.map(
        (b) =>
          new Promise((res, rej) => {
            const img = new Image();
            img.onload = () => res(img);
            img.onerror = rej;
            img.src = `data:image/png;base64,${b}`;
          }),
      ),
    );
    const gap = 16;
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(...images.map((i) => i.width));
    canvas.height = images.reduce((h, i) => h + i.height, 0) + gap * (images.length - 1) + gap;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    let y = 0;
    for (const i of images) {
      ctx.drawImage(i, Math.round((canvas.width - i.width) / 2), y);
      y += i.height + gap;
    }
    return canvas.toDataURL('image/png');
  }, pngs.map((p) => p.toString('base64')));
  return Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
}

const { chromium } = await import('playwright-core');
const vite = await import('vite');
const port = await freePort();
const server = await vite.preview({ root: ROOT, logLevel: 'warn', preview: { port, strictPort: true, host: '127.0.0.1', open: false } });
const url = `http://127.0.0.1:${port}`;
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
let failed = false;
try {
  await mkdir(OUT, { recursive: true });
  // The preset ids as the app lists them (the picker in the header).
  const probe = await browser.newPage({ viewport: VIEWPORT });
  await probe.goto(url, { waitUntil: 'load' });
  await probe.locator('#preset-select').waitFor({ timeout: 30_000 });
  const ids = (await probe.locator('#preset-select option').evaluateAll((os) => os.map((o) => o.value))).filter((v) => v !== '');
  await probe.close();
  if (ids.length === 0) throw new Error('the preset picker lists no presets');

  // One page for every preset: the next preset is a hashchange, so the engine started once stays.
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${url}/#preset=${ids[0]}&theme=projector`, { waitUntil: 'load' });
  const t0 = Date.now();
  const ready = async () => (await page.getByTestId('backend-badge').getAttribute('data-backend')) && (await page.getByTestId('image-grid').count()) > 0;
  while (!(await ready()) && Date.now() - t0 < waitSeconds * 1000) await page.waitForTimeout(500);
  const composer = await context.newPage();

  for (const id of ids) {
    await page.goto(`${url}/#preset=${id}&theme=projector`, { waitUntil: 'load' });
    await page.locator(`[data-testid=preset-card][data-preset="${id}"]`).waitFor({ timeout: 30_000 });
    await page.evaluate(() => document.fonts.ready);
    await page.waitForTimeout(400);
    const theme = await page.evaluate(() => document.documentElement.dataset.theme);
    if (theme !== 'projector') throw new Error(`${id}: theme is ${theme}`);
    const focus = await page.evaluate(() => document.documentElement.dataset.focus);
    // The configured view: header + preset card on top, the panel the preset points to below.
    const bannerBottom = await page.locator('.lecture-banner').evaluate((el) => el.getBoundingClientRect().bottom + window.scrollY + 12);
    const top = await page.screenshot({ fullPage: true, clip: { x: 0, y: 0, width: VIEWPORT.width, height: Math.ceil(bannerBottom) } });
    const panel = await page.locator(`section[aria-labelledby="${focus}-title"]`).screenshot();
    const file = join(OUT, `preset-${id}.png`);
    await writeFile(file, await stackPngs(composer, [top, panel]));
    console.log(`${file.slice(ROOT.length + 1)} (focus: ${focus})${(await ready()) ? '' : ' (backend or images not ready yet)'}`);
  }
  if (errors.length) {
    failed = true;
    console.error(`page errors: ${errors.join('; ')}`);
  }
  await context.close();
} catch (e) {
  failed = true;
  console.error(`screenshots failed: ${e instanceof Error ? e.message : String(e)}`);
} finally {
  await browser.close().catch(() => {});
  await new Promise((r) => server.httpServer.close(() => r()));
}
process.exit(failed ? 1 : 0);
