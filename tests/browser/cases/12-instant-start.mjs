/**
 * Instant start (issue 20): at a preset URL "Start training" is enabled within 10 s of load,
 * while the software WebGPU adapter is measured in the background (a separate worker) and given
 * up; the choice is kept per adapter, so a reload starts from it without measuring again.
 */
import { assert, ownAppPage, until } from '../harness.mjs';

const START_LIMIT_MS = 10_000;

/** Loads `url` (null: reloads the page) and returns ms from navigation to an enabled "Start training". */
async function msUntilStartEnabled(page, url) {
  const t0 = Date.now();
  if (url === null) await page.reload({ waitUntil: 'commit', timeout: 60_000 });
  else await page.goto(url, { waitUntil: 'commit', timeout: 60_000 });
  const start = page.getByRole('button', { name: 'Start training' });
  await until(() => start.isEnabled(), 60_000, '"Start training" to be enabled');
  return Date.now() - t0;
}

export default [
  {
    name: 'instant start: at a preset URL Start training is enabled within 10 s; the software GPU is measured in the background and the choice is kept for the next visit',
    timeout: 180_000,
    async run() {
      const { page, errors, base } = await ownAppPage();
      const badge = page.getByTestId('backend-badge');
      const url = `${base}/#preset=sharpness-tradeoff`;

      const first = await msUntilStartEnabled(page, url);
      assert(first <= START_LIMIT_MS, `"Start training" enabled only ${first} ms after load (limit ${START_LIMIT_MS} ms)`);
      assert((await badge.getAttribute('data-backend')) === 'wasm', `started on ${await badge.getAttribute('data-backend')}, expected wasm (the adapter here is SwiftShader)`);
      // The background measurement ends (given up or measured) and wasm stays: SwiftShader is far slower here.
      await until(async () => (await badge.getAttribute('data-measuring')) === '', 90_000, 'the background measurement to end');
      const title = (await badge.getAttribute('title')) ?? '';
      assert(/measured against wasm, wasm won \(wasm \d+ ms\/step; webgpu (at least \d+ ms\/step|unfinished|\d+ ms\/step)/.test(title), `no background result in the badge title:\n${title}`);
      assert((await badge.getAttribute('data-backend')) === 'wasm', `switched to ${await badge.getAttribute('data-backend')}:\n${title}`);

      const second = await msUntilStartEnabled(page, null);
      assert(second <= START_LIMIT_MS, `after a reload "Start training" was enabled only after ${second} ms`);
      assert((await badge.getAttribute('data-chosen-by')) === 'cache', `the reload did not start from the kept choice:\n${await badge.getAttribute('title')}`);
      assert((await badge.getAttribute('data-measuring')) === '', 'the reload measured again');
      assert(/chosen by a measurement on this adapter on \d{4}-\d\d-\d\d/.test((await badge.getAttribute('title')) ?? ''), 'the badge title does not say the choice was kept');
      const real = errors.filter((e) => !/net::ERR_ABORTED/.test(e));
      assert(real.length === 0, `console errors:\n  ${real.join('\n  ')}`);
      return `Start enabled after ${first} ms, after a reload ${second} ms; ${title.split('\n').find((l) => l.includes('won'))}`;
    },
  },
];
