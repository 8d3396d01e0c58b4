#!/usr/bin/env node
/**
 * Browser tests: the built app (dist/, served by `vite preview` with COOP/COEP) and one test
 * page (built from tests/browser/pages/ into a temporary folder) in headless Chromium through
 * playwright-core.
 *
 *   node tests/browser/run.mjs [--grep TEXT] [--screenshot PATH] [--extended] [--headed]
 *
 * Prints one line per test and a final summary `N passed, M failed` (`, K skipped` when some
 * were skipped); exits non-zero on failure. Without /usr/bin/chromium it skips (exit 0),
 * unless REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
 * Expects dist/ from `vite build`; builds it only when it is missing.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { CHROMIUM, CHROMIUM_ARGS, freePort } from './chromium.mjs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const grep = opt('--grep');
const screenshotPath = opt('--screenshot');
const headed = argv.includes('--headed');
/** Also run the slow, opt-in tests (`--extended` or BROWSER_TESTS_EXTENDED=1). */
const extended = argv.includes('--extended') || process.env.BROWSER_TESTS_EXTENDED === '1';

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
const vite = await import('vite');


/** Polls `fn` until it returns a truthy value or `ms` elapse. */
async function until(fn, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${(ms / 1000).toFixed(0)} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

// ---------------------------------------------------------------------------------------
// Servers and browser

const servers = [];
const cleanups = [];
let browser;

async function startPreview() {
  const port = await freePort();
  const server = await vite.preview({
    root: ROOT,
    logLevel: 'warn',
    preview: { port, strictPort: true, host: '127.0.0.1', open: false },
  });
  servers.push(() => new Promise((r) => server.httpServer.close(() => r())));
  return `http://127.0.0.1:${port}`;
}

/**
 * Builds the test pages (tests/browser/pages/*.html; they import the engine directly) into a
 * temporary folder and serves it like the app. A test fixture, not the app: dist/ is untouched.
 */
async function startTestPages() {
  const outDir = await mkdtemp(join(tmpdir(), 'wmlab-browser-pages-'));
  cleanups.push(() => rm(outDir, { recursive: true, force: true }));
  await vite.build({
    root: ROOT,
    logLevel: 'warn',
    publicDir: false,
    build: { outDir, emptyOutDir: true, rollupOptions: { input: { gradcheck: resolve(ROOT, 'tests/browser/pages/gradcheck.html') } } },
  });
  const port = await freePort();
  const server = await vite.preview({
    root: ROOT,
    logLevel: 'warn',
    build: { outDir },
    preview: { port, strictPort: true, host: '127.0.0.1', open: false },
  });
  servers.push(() => new Promise((r) => server.httpServer.close(() => r())));
  return `http://127.0.0.1:${port}`;
}

/** A fresh page that records console errors, page errors and failed requests. */
async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console.error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  page.on('worker', (w) => {
    w.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`worker console.error: ${msg.text()}`);
    });
  });
  page.on('requestfailed', (req) => errors.push(`request failed: ${req.url()} (${req.failure()?.errorText})`));
  return { page, errors, close: () => context.close() };
}

// ---------------------------------------------------------------------------------------
// Tests (they share one app page, in order: load -> backend -> training)

let appUrl;
let app; // { page, errors, close }

async function openApp() {
  if (app) return app;
  appUrl ??= await startPreview();
  app = await newPage();
  await app.page.goto(appUrl, { waitUntil: 'load' });
  return app;
}

const badge = () => app.page.getByTestId('backend-badge');

const tests = [
  {
    name: 'the built app loads with no console errors',
    timeout: 120_000,
    async run() {
      const { page, errors } = await openApp();
      await until(async () => (await badge().getAttribute('data-backend')) !== '', 90_000, 'the backend badge');
      await until(async () => (await page.getByTestId('dataset-source').getAttribute('data-dataset')) !== '', 60_000, 'the dataset source');
      await page.getByTestId('image-grid').waitFor({ timeout: 60_000 });
      const thumbs = await page.locator('[data-testid=image-grid] canvas').count();
      assert(thumbs >= 10, `expected at least 10 thumbnails, got ${thumbs}`);
      const models = await page.getByLabel('Model').locator('option').count();
      assert(models >= 2, `expected the model picker to list architectures, got ${models}`);
      const fatal = await page.getByTestId('fatal-error').count();
      assert(fatal === 0, `the app shows an error: ${fatal ? await page.getByTestId('fatal-error').textContent() : ''}`);
      assert(errors.length === 0, `console errors:\n  ${errors.join('\n  ')}`);
      const src = await page.getByTestId('dataset-source').textContent();
      return `backend ${await badge().getAttribute('data-backend')}, data "${src}", ${thumbs} thumbnails`;
    },
  },
  {
    name: 'the backend badge shows webgpu with a measured time per step',
    timeout: 120_000,
    async run() {
      await openApp();
      const name = await until(async () => badge().getAttribute('data-backend'), 90_000, 'the backend badge');
      const text = await badge().textContent();
      assert(name === 'webgpu', `badge shows "${name}" (${await badge().getAttribute('title')}), expected webgpu`);
      assert(/\d.*s\/step/.test(text ?? ''), `badge has no measured time per step: "${text}"`);
      return text;
    },
  },
  {
    name: 'a short training run (paused and resumed) updates the chart and shows a final accuracy',
    timeout: 240_000,
    async run() {
      const { page, errors } = await openApp();
      await until(async () => (await badge().getAttribute('data-backend')) !== '', 90_000, 'the backend badge');
      await page.getByLabel('Model').selectOption('cnn');
      await page.getByLabel('Epochs').fill('1');
      await page.getByLabel('Batch size').fill('16');
      await page.getByLabel('Learning rate').fill('0.01');
      await page.getByLabel('Train images').fill('32');
      await page.getByLabel('Test images').fill('16');
      const start = page.getByRole('button', { name: 'Start training' });
      await until(() => start.isEnabled(), 60_000, 'the Start button to be enabled');
      await start.click();
      // Pause and resume through the worker (the run waits at its next step boundary meanwhile).
      await page.getByRole('button', { name: 'Pause' }).click();
      await page.getByRole('button', { name: 'Resume' }).waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: 'Resume' }).click();
      await page.getByRole('button', { name: 'Pause' }).waitFor({ timeout: 30_000 });
      const chart = page.getByTestId('training-chart');
      await until(async () => Number(await chart.getAttribute('data-points')) >= 1, 180_000, 'a first point on the chart');
      await page.getByTestId('final-accuracy').waitFor({ timeout: 180_000 });
      const points = Number(await chart.getAttribute('data-points'));
      assert(points >= 2, `expected at least 2 chart points for 2 steps, got ${points}`);
      const path = await chart.locator('.recharts-line-curve').first().getAttribute('d');
      assert(path && path.length > 5, 'the loss line has no path');
      const acc = Number(await page.getByTestId('final-accuracy').getAttribute('data-value'));
      assert(acc >= 0 && acc <= 1, `final accuracy ${acc} is not in [0, 1]`);
      const phase = await page.getByTestId('progress').getAttribute('data-phase');
      assert(phase === 'done', `progress phase is ${phase}, expected done`);
      assert(errors.length === 0, `console errors:\n  ${errors.join('\n  ')}`);
      if (screenshotPath) {
        await mkdir(dirname(resolve(ROOT, screenshotPath)), { recursive: true });
        await page.screenshot({ path: resolve(ROOT, screenshotPath), fullPage: true });
      }
      return `${points} chart points, test accuracy ${(acc * 100).toFixed(1)} % (${await page.getByTestId('final-result').locator('p').last().textContent()})`;
    },
  },
  {
    name: 'attack sweep and 1-D landscape on a 2-step watermarked cnn stream into their charts',
    timeout: 480_000,
    async run() {
      const { page, errors } = await openApp();
      await until(async () => (await badge().getAttribute('data-backend')) !== '', 90_000, 'the backend badge');
      if ((await page.locator('#wm-method').count()) === 0) return 'skipped: the Watermark panel is not in the app (no way to train a keyed model)';
      // Tiny watermarked run: cnn, 2 steps of 16, 32 marked weights, R = 0 (no replica passes).
      await page.getByLabel('Model').selectOption('cnn');
      await page.getByLabel('Epochs').fill('1');
      await page.getByLabel('Batch size').fill('16');
      await page.getByLabel('Learning rate').fill('0.01');
      await page.getByLabel('Train images').fill('32');
      await page.getByLabel('Test images', { exact: true }).fill('16');
      await page.locator('#wm-method').selectOption('watermas');
      await page.locator('#wm-payload-kind').selectOption('random');
      await page.locator('#wm-bits').fill('32');
      await page.locator('#wm-replicas').fill('0');
      const start = page.getByRole('button', { name: 'Start training' });
      await until(() => start.isEnabled(), 60_000, 'the Start button to be enabled');
      await start.click();
      await page.getByTestId('final-accuracy').waitFor({ timeout: 300_000 });
      await until(async () => (await page.getByTestId('attack-disabled').count()) === 0, 30_000, 'the Attack panel to enable');
      // Attack: a 2-strength noise sweep on 16 test images.
      await page.locator('#attack-kind').selectOption('noise');
      await page.locator('#attack-strengths').fill('0, 10');
      await page.locator('#attack-test').fill('16');
      await page.getByRole('button', { name: 'Run sweep' }).click();
      const status = page.getByTestId('attack-status');
      await until(async () => (await status.getAttribute('data-state')) === 'done', 120_000, 'the sweep to finish');
      const ber = page.getByTestId('attack-ber-chart');
      const points = Number(await ber.getAttribute('data-points'));
      assert(points === 2, `BER chart has ${points} points, expected 2`);
      const path = await ber.locator('.recharts-line-curve').first().getAttribute('d');
      assert(path && path.length > 5, 'the BER line has no path');
      const rows = page.getByTestId('attack-table').locator('tbody tr');
      assert((await rows.count()) === 2, `table has ${await rows.count()} rows, expected 2`);
      const ber0 = Number(await rows.first().locator('td').nth(4).textContent());
      assert(ber0 === 0, `BER at strength 0 is ${ber0}, expected 0`);
      const trade = Number(await page.getByTestId('attack-tradeoff-chart').getAttribute('data-points'));
      assert(trade === 2, `trade-off chart has ${trade} points, expected 2`);
      // Landscape: 1-D, grid 3, 16 images, no eigenvalues.
      await page.locator('#ls-grid').fill('3');
      await page.locator('#ls-eval').fill('16');
      await page.locator('#ls-dims').selectOption('1');
      await page.locator('#ls-eigen').fill('0');
      await page.getByRole('button', { name: 'Compute landscape' }).click();
      const ls = page.getByTestId('landscape-status');
      await until(async () => (await ls.getAttribute('data-state')) === 'done', 180_000, 'the landscape to finish');
      const lp = Number(await page.getByTestId('landscape-chart').getAttribute('data-points'));
      assert(lp === 6, `landscape chart has ${lp} points, expected 6 (3 per subspace)`);
      const ratio = await page.getByTestId('sharpness-ratio').textContent();
      assert(errors.length === 0, `console errors:\n  ${errors.join('\n  ')}`);
      return `sweep: ${await status.textContent()}; landscape: ${await ls.textContent()}, sharpness ratio ${ratio}`;
    },
  },
  {
    name: 'a text watermark (WaterMAS, R = 1) reads back with BER 0 and downloads model and key',
    timeout: 360_000,
    async run() {
      const { page, errors } = await openApp();
      await until(async () => (await badge().getAttribute('data-backend')) !== '', 90_000, 'the backend badge');
      // Tiny run: cnn, 2 steps of 16 on 32 images; payload "© WM Lab" (72 marked weights), one replica.
      await page.getByLabel('Model').selectOption('cnn');
      await page.getByLabel('Epochs').fill('1');
      await page.getByLabel('Batch size').fill('16');
      await page.getByLabel('Learning rate').fill('0.01');
      await page.getByLabel('Train images').fill('32');
      await page.getByLabel('Test images', { exact: true }).fill('16');
      await page.locator('#wm-method').selectOption('watermas');
      await page.locator('#wm-payload-kind').selectOption('text');
      await page.getByLabel('Watermark text').fill('© WM Lab');
      await page.getByLabel('Replicas R value').fill('1');
      const start = page.getByRole('button', { name: 'Start training' });
      await until(() => start.isEnabled(), 60_000, 'the Start button to be enabled');
      await start.click();
      // Live state during training: BER and the bitwise check of the marked weights.
      const ber = page.getByTestId('watermark-ber');
      await until(async () => (await ber.count()) > 0 && (await ber.getAttribute('data-value')) !== '', 240_000, 'a live BER report');
      const liveBer = Number(await ber.getAttribute('data-value'));
      assert(liveBer === 0, `live BER is ${liveBer}, expected 0`);
      assert((await page.getByTestId('watermark-frozen').getAttribute('data-value')) === 'true', 'the marked weights are not reported unchanged');
      // After training: verdict and the extracted message.
      const verdict = page.getByTestId('watermark-verdict');
      await verdict.waitFor({ timeout: 240_000 });
      assert((await verdict.getAttribute('data-detected')) === 'true', `verdict: ${await verdict.textContent()}`);
      const message = await page.getByTestId('watermark-message').textContent();
      assert(message === '© WM Lab', `extracted message "${message}", expected "© WM Lab"`);
      assert(Number(await ber.getAttribute('data-value')) === 0, 'final live BER is not 0');
      assert((await page.getByTestId('watermark-frozen').getAttribute('data-value')) === 'true', 'marked weights changed');
      // Downloads through Blob URLs: key.json, then model.json + weights.bin.
      const { readFile } = await import('node:fs/promises');
      const [keyDl] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.getByRole('button', { name: 'Download key.json' }).click()]);
      const key = JSON.parse(await readFile(await keyDl.path(), 'utf8'));
      assert(keyDl.suggestedFilename() === 'key.json', `key file named ${keyDl.suggestedFilename()}`);
      assert(key.format === 'watermas-lab-key' && key.payload.text === '© WM Lab' && key.objective.replicas === 1, `unexpected key: ${JSON.stringify(key).slice(0, 200)}`);
      const names = [];
      const sizes = {};
      const got = new Promise((resolveAll) => {
        const onDl = async (d) => {
          sizes[d.suggestedFilename()] = (await readFile(await d.path())).length;
          names.push(d.suggestedFilename());
          if (names.length === 2) {
            page.off('download', onDl);
            resolveAll();
          }
        };
        page.on('download', onDl);
      });
      await page.getByRole('button', { name: /Download model/ }).click();
      await Promise.race([got, new Promise((_, rej) => setTimeout(() => rej(new Error(`model downloads: got ${names.join(', ') || 'none'}`)), 60_000))]);
      assert(names.includes('model.json') && names.includes('weights.bin'), `downloads: ${names.join(', ')}`);
      assert(sizes['weights.bin'] > 1000 && sizes['weights.bin'] % 4 === 0, `weights.bin has ${sizes['weights.bin']} bytes`);
      assert(errors.length === 0, `console errors:\n  ${errors.join('\n  ')}`);
      const p = await verdict.locator('xpath=..').locator('xpath=following-sibling::p[1]').textContent();
      return `message "${message}", ${p}; key.json ${key.positions.length} tensors, weights.bin ${sizes['weights.bin']} bytes`;
    },
  },
  {
    name: 'the Verify panel checks a safetensors model + key locally and names the file of a bad upload',
    timeout: 200_000,
    async run() {
      const { page, errors } = await openApp();
      const origin = new URL(appUrl).origin;
      const foreign = [];
      const onRequest = (req) => {
        const url = req.url();
        if (!/^(data|blob):/.test(url) && new URL(url).origin !== origin) foreign.push(url);
      };
      page.context().on('request', onRequest);
      try {
        const good = resolve(ROOT, 'tests/fixtures/good');
        const input = page.getByTestId('verify-input');
        const verdict = page.getByTestId('verify-verdict');
        const expectGood = async (round) => {
          await input.setInputFiles([join(good, 'model.safetensors'), join(good, 'key.json')]);
          await verdict.or(page.getByTestId('verify-error')).waitFor({ timeout: 90_000 }).catch(() => undefined);
          assert((await verdict.count()) === 1, `${round}: no verdict; the panel says "${await page.getByTestId('verify-panel').textContent()}"`);
          assert((await verdict.getAttribute('data-detected')) === 'true', `${round}: verdict "${await verdict.textContent()}"`);
          const ber = await page.getByTestId('verify-ber').getAttribute('data-ber');
          assert(Number(ber) === 0, `${round}: BER ${ber}, expected 0`);
          const sha = (await page.getByTestId('verify-sha256').textContent())?.trim();
          const want = createHash('sha256').update(await readFile(join(good, 'model.safetensors'))).digest('hex');
          assert(sha === want, `${round}: SHA-256 ${sha}, expected ${want} (sha256sum of model.safetensors)`);
          return sha;
        };
        const sha = await expectGood('first good pair');
        const privacy = await page.getByTestId('verify-privacy').textContent();
        assert(/never uploaded/.test(privacy ?? ''), `privacy note: "${privacy}"`);
        // A bad model: the error card names the file and the problem; the worker stays alive.
        await input.setInputFiles([resolve(ROOT, 'tests/fixtures/bad/st-nan-weight.safetensors'), join(good, 'key.json')]);
        const card = page.getByTestId('verify-error');
        await card.waitFor({ timeout: 60_000 });
        const text = await card.textContent();
        assert(/st-nan-weight\.safetensors/.test(text ?? '') && /holds NaN at flat index 5/.test(text ?? ''), `error card: "${text}"`);
        assert((await verdict.count()) === 0, 'a verdict is shown next to the error card');
        await expectGood('good pair after the bad file');
        assert(foreign.length === 0, `requests to other hosts:\n  ${foreign.join('\n  ')}`);
        assert(errors.length === 0, `console errors:\n  ${errors.join('\n  ')}`);
        return `detected, BER 0, sha256 ${sha.slice(0, 12)}…; bad file: "${text?.trim()}"`;
      } finally {
        page.context().off('request', onRequest);
      }
    },
  },
  {
    name: 'a file that is not the CIFAR-10 tarball is refused with a clear message',
    timeout: 60_000,
    async run() {
      const { page, errors } = await openApp();
      await page.getByLabel('CIFAR-10 tarball').setInputFiles({ name: 'not-cifar.tar.gz', mimeType: 'application/gzip', buffer: Buffer.from('definitely not gzip') });
      const msg = page.getByTestId('import-message');
      await msg.waitFor({ timeout: 30_000 });
      const text = await msg.textContent();
      assert(/Import failed: .*not a gzip file/.test(text ?? ''), `unexpected message: "${text}"`);
      assert((await page.getByTestId('dataset-source').getAttribute('data-dataset')) !== '', 'the data set was lost');
      assert(errors.length === 0, `console errors:\n  ${errors.join('\n  ')}`);
      return text;
    },
  },
  {
    name: 'the backend selector switches to cpu and measures it',
    timeout: 200_000,
    // About a minute on a busy 2-core machine (two cnn steps on cpu): opt-in to keep the suite short.
    extended: true,
    async run() {
      const { page, errors } = await openApp();
      const select = page.getByLabel('Backend preference');
      await until(() => select.isEnabled(), 100_000, 'the backend selector to be enabled');
      await select.selectOption('cpu');
      await until(async () => (await badge().getAttribute('data-backend')) === 'cpu' && (await page.getByTestId('backend-ms').count()) > 0, 100_000, 'the badge to show cpu');
      assert(errors.length === 0, `console errors:\n  ${errors.join('\n  ')}`);
      return badge().textContent();
    },
  },
  {
    name: 'webgpu and cpu gradients agree on one batch (cnn, max abs diff < 1e-4)',
    timeout: 240_000,
    async run() {
      const pagesUrl = await startTestPages();
      const p = await newPage();
      try {
        await p.page.goto(`${pagesUrl}/tests/browser/pages/gradcheck.html${process.env.GRADCHECK_QUERY ? `?${process.env.GRADCHECK_QUERY}` : ''}`, { waitUntil: 'load', timeout: 60_000 });
        const result = await until(() => p.page.evaluate(() => globalThis.__gradcheck), 220_000, 'the gradient check');
        assert(!result.error, `gradient check failed: ${result.error}`);
        assert(result.params > 0, 'no gradients compared');
        assert(result.ok && result.maxAbsDiff < 1e-4, `max abs diff ${result.maxAbsDiff} (param ${result.worstParam}) >= 1e-4; ${JSON.stringify(result)}`);
        return `max abs diff ${result.maxAbsDiff.toExponential(2)} over ${result.entries} entries of ${result.params} tensors (max |grad| ${result.maxAbsGrad.toExponential(2)}; loss cpu ${result.lossCpu.toFixed(5)}, webgpu ${result.lossWebgpu.toFixed(5)})`;
      } finally {
        await p.close();
      }
    },
  },
];

// ---------------------------------------------------------------------------------------
// Runner

let passed = 0;
let failed = 0;
let skipped = 0;
const t0 = Date.now();
try {
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: !headed, args: CHROMIUM_ARGS });
  for (const t of tests) {
    if ((grep && !t.name.includes(grep)) || (t.extended && !extended)) {
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
  await app?.close().catch(() => {});
  await browser?.close().catch(() => {});
  for (const stop of servers) await stop().catch(() => {});
  for (const clean of cleanups) await clean().catch(() => {});
}
console.log(`browser suite took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
// npm test adds these counts to its own closing line
if (process.env.BROWSER_RESULTS) await writeFile(process.env.BROWSER_RESULTS, JSON.stringify({ passed, failed, skipped }));
process.exit(failed > 0 ? 1 : 0);
