/**
 * Shared helpers of the browser tests: servers (the built app under `vite preview`, the test
 * pages), Chromium pages that record console errors, polling and assertions. Test cases live in
 * tests/browser/cases/*.mjs (each exports an array of { name, timeout, extended?, run }).
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './chromium.mjs';
import { buildAndServe } from './serve.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const vite = await import('vite');

const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
/** Command-line options of run.mjs. */
export const grep = opt('--grep');
export const screenshotPath = opt('--screenshot');
export const headed = argv.includes('--headed');
/** Also run the slow, opt-in tests (`--extended` or BROWSER_TESTS_EXTENDED=1). */
export const extended = argv.includes('--extended') || process.env.BROWSER_TESTS_EXTENDED === '1';

/** Polls `fn` until it returns a truthy value or `ms` elapse. */
export async function until(fn, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${(ms / 1000).toFixed(0)} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function assert(cond, message) {
  if (!cond) throw new Error(message);
}

// ---------------------------------------------------------------------------------------
// Servers and browser

export const servers = [];
export const cleanups = [];
let browser;

/** Set by the runner once Chromium is up. */
export function setBrowser(b) {
  browser = b;
}

export async function startPreview() {
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
export async function startTestPages() {
  const { url, close } = await buildAndServe(ROOT, { gradcheck: resolve(ROOT, 'tests/browser/pages/gradcheck.html') }, 'wmlab-browser-pages-');
  servers.push(close);
  return url;
}

/** A fresh page that records console errors, page errors and failed requests. */
export async function newPage() {
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

/** A fresh page of its own (closed with the suite) and the app's base URL, for a case that must start from a clean load. */
export async function ownAppPage() {
  const base = appUrl ?? (appUrl = await startPreview());
  const p = await newPage();
  cleanups.push(() => p.close());
  return { ...p, base };
}

// ---------------------------------------------------------------------------------------
// Tests (they share one app page, in order: load -> backend -> training)

let appUrl;
let app; // { page, errors, close }

/** The preview server's URL (after openApp or startPreview). */
export const getAppUrl = () => appUrl;

export async function openApp() {
  if (app) return app;
  appUrl ??= await startPreview();
  app = await newPage();
  // ?testHooks: the page exposes its test hooks (src/ui/testHooks.ts), e.g. a simulated GPU device loss.
  await app.page.goto(`${appUrl}/?testHooks`, { waitUntil: 'load' });
  return app;
}

export const badge = () => app.page.getByTestId('backend-badge');

/** Closes the shared app page, the servers and temporary folders. */
export async function closeAll() {
  await app?.close().catch(() => {});
  for (const stop of servers) await stop().catch(() => {});
  for (const clean of cleanups) await clean().catch(() => {});
}

/**
 * Fills the training form for a tiny run: cnn, batches of 16, `train` training and `test` test
 * images. `watermark`: undefined leaves the method as it is, 'none' trains unmarked, an object
 * selects WaterMAS with a random payload of `bits` bits and `replicas` replicas.
 */
export async function fillTinyRun(page, { epochs = 1, lr = 0.01, train = 32, test = 16, watermark } = {}) {
  await page.locator('#arch').selectOption('cnn');
  await page.locator('#epochs').fill(String(epochs));
  await page.locator('#batch-size').fill('16');
  await page.locator('#lr').fill(String(lr));
  await page.locator('#train-limit').fill(String(train));
  await page.locator('#test-limit').fill(String(test));
  if (watermark === 'none') await page.locator('#wm-method').selectOption('none');
  else if (watermark) {
    await page.locator('#wm-method').selectOption('watermas');
    await page.locator('#wm-payload-kind').selectOption('random');
    await page.locator('#wm-bits').fill(String(watermark.bits ?? 32));
    await page.locator('#wm-replicas').fill(String(watermark.replicas ?? 0));
  }
}

/** `until`, with the training progress line (and a run error, if any) in the timeout message. */
export async function untilRun(page, fn, ms, what) {
  try {
    return await until(fn, ms, what);
  } catch (e) {
    const p = page.getByTestId('progress');
    const err = page.getByTestId('train-error');
    const detail = (await err.count()) > 0 ? `; error: ${await err.textContent()}` : '';
    throw new Error(`${e.message} (progress: ${await p.getAttribute('data-phase')} "${(await p.textContent())?.trim()}"${detail})`, { cause: e });
  }
}

/** A run left going by an earlier failure is cancelled, so that a case starts from a free form. */
export async function noRunGoing(page) {
  const cancel = page.getByRole('button', { name: 'Cancel', exact: true });
  if ((await cancel.count()) > 0 && (await cancel.first().isEnabled())) {
    await cancel.first().click();
    await until(() => page.locator('#arch').isEnabled(), 120_000, 'the cancelled run to end');
  }
}

/** Waits for the Start training button to be enabled and clicks it. */
export async function startTraining(page) {
  const start = page.getByRole('button', { name: 'Start training' });
  await until(() => start.isEnabled(), 60_000, 'the Start button to be enabled');
  await start.click();
}

/** Waits until the run has a final accuracy; fails at once with the run's error if it failed. */
export async function untilTrained(page, ms = 300_000) {
  const error = page.getByTestId('train-error');
  await untilRun(
    page,
    async () => {
      if ((await error.count()) > 0) throw new Error(`training failed: ${await error.first().textContent()}`);
      return (await page.getByTestId('final-accuracy').count()) > 0;
    },
    ms,
    'the run to finish',
  );
}
