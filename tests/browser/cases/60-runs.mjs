/**
 * Runs drawer (issues 8, 9): a finished training run is listed in the drawer, saved in
 * IndexedDB, survives a page reload and can be selected as the current model. One fresh page
 * of its own (its own browser context, so its own IndexedDB; the reload does not disturb the
 * shared app page of the other cases).
 */
import { assert, cleanups, fillTinyRun, getAppUrl, newPage, startPreview, until, untilTrained } from '../harness.mjs';

/** Clicks without Playwright's "stable" check (the worker's backend probe can stall frames on a loaded machine). */
const press = (locator) => locator.dispatchEvent('click');

/** Console errors, less the data requests that our own reload aborts. */
const realErrors = (errors) => errors.filter((e) => !/request failed: .*net::ERR_ABORTED/.test(e));

async function openDrawer(page) {
  const tab = page.getByTestId('runs-tab');
  await tab.waitFor({ timeout: 30_000 });
  if ((await tab.getAttribute('aria-expanded')) !== 'true') await press(tab);
  await page.getByTestId('runs-drawer').waitFor({ state: 'visible', timeout: 10_000 });
}

export default [
  {
    name: 'runs drawer: a finished run is listed, survives a reload and can be selected',
    // Under 2 min on an idle machine; the generous limits are for a loaded one (the SwiftShader WebGPU
    // probe then takes minutes, once per page load).
    timeout: 540_000,
    async run() {
      const url = getAppUrl() ?? (await startPreview());
      const { page, errors, close } = await newPage();
      cleanups.push(() => close());
      await page.goto(url, { waitUntil: 'load' });
      const t0 = Date.now();
      await until(() => page.locator('#arch').isEnabled(), 240_000, 'the model picker (backend and models ready)');
      await fillTinyRun(page);
      const start = page.getByRole('button', { name: 'Start training' });
      await until(() => start.isEnabled(), 60_000, 'the Start button to be enabled');
      await press(start);
      await untilTrained(page, 240_000);
      const trained = Date.now();

      // The run is listed and saved (the drawer lists after pending IndexedDB writes settle).
      await openDrawer(page);
      const row = page.getByTestId('run-row').first();
      await until(async () => (await row.count()) > 0 && (await row.getAttribute('data-stored')) === 'yes', 20_000, 'a saved run in the drawer');
      const id = await row.getAttribute('data-run-id');
      const name = await row.getByTestId('run-name').textContent();
      assert(/^cnn · plain · \d\d:\d\d$/.test(name ?? ''), `unexpected run name "${name}"`);
      assert((await row.getAttribute('data-current')) === 'yes', 'the fresh run is not marked as the current model');
      const acc = await row.getByTestId('run-accuracy').textContent();
      assert(/%/.test(acc ?? ''), `no accuracy in the row: "${acc}"`);

      // A fresh visit (the app's address without the view in its hash, so no run to restore: case 62
      // covers that): the list comes back from IndexedDB; no run is current (a new worker).
      await page.goto(url, { waitUntil: 'load' });
      await openDrawer(page);
      const again = page.locator(`[data-testid=run-row][data-run-id="${id}"]`);
      await until(async () => (await again.count()) === 1, 60_000, 'the run to be listed after the reload');
      assert((await again.getAttribute('data-current')) === 'no', 'after a fresh visit no run should be current');
      assert((await again.getByTestId('run-name').textContent()) === name, 'the name changed across the reload');

      // Select: its weights are loaded into the worker's current model slot.
      await press(again.getByRole('button', { name: `Select ${name}` }));
      await until(async () => (await again.getAttribute('data-current')) === 'yes', 240_000, 'the selected run to become current');
      const msg = await page.getByTestId('runs-message').textContent();
      assert(/is now the current model/.test(msg ?? ''), `unexpected message "${msg}"`);
      assert((await page.getByTestId('runs-error').count()) === 0, `the drawer shows an error: ${await page.getByTestId('runs-error').textContent().catch(() => '')}`);
      const real = realErrors(errors);
      assert(real.length === 0, `console errors:\n  ${real.join('\n  ')}`);
      return `run "${name}" (${acc}): trained in ${((trained - t0) / 1000).toFixed(0)} s, listed, reloaded and selected in ${((Date.now() - trained) / 1000).toFixed(0)} s`;
    },
  },
];
