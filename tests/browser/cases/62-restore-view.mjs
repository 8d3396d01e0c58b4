/* global location */
/**
 * Restore the current view after a reload (issue 9, persistence): a hash naming a run that is
 * gone gives a notice; a finished run (WaterMAS, tiny) names itself in the hash (`run=<id>`) and
 * the open Runs drawer does too (`open=runs`); after a reload the run is loaded back into the
 * worker and its result (test accuracy, curve, watermark BER) is shown again, the Attack panel
 * can start on it and the drawer is open again. One fresh page of its own (its own IndexedDB).
 */
import { assert, cleanups, getAppUrl, newPage, startPreview, until, untilTrained } from '../harness.mjs';

/** Clicks without Playwright's "stable" check (the worker's backend probe can stall frames on a loaded machine). */
const press = (locator) => locator.dispatchEvent('click');

/** Console errors, less the data requests that our own reload aborts. */
const realErrors = (errors) => errors.filter((e) => !/request failed: .*net::ERR_ABORTED/.test(e));

const hashOf = (page) => page.evaluate(() => location.hash);

/** Test accuracy, BER, chart points and the run's drawer row as the page shows them. */
async function shownResult(page) {
  return {
    accuracy: await page.getByTestId('final-accuracy').getAttribute('data-value'),
    accuracyText: await page.getByTestId('final-accuracy').textContent(),
    ber: await page.getByTestId('watermark-report-ber').textContent(),
    verdict: await page.getByTestId('watermark-verdict').getAttribute('data-detected'),
    points: await page.getByTestId('training-chart').getAttribute('data-points'),
  };
}

// Tiny WaterMAS run set by the hash: cnn, batch 16, 32 train / 16 test images, 1 epoch, R = 0, 64 bits.
const CONTROLS = 'arch=cnn&epochs=1&batch=16&train=32&test=16&aug=0&wm=watermas&payload=random&bits=64&R=0';

export default [
  {
    name: 'restore view: a reload brings back the current run (result, curve, watermark, attack) and the open Runs drawer',
    // About a minute of work on an idle machine; two page loads each start the backend (slow when loaded).
    timeout: 540_000,
    async run() {
      const url = getAppUrl() ?? (await startPreview());
      const { page, errors, close } = await newPage();
      cleanups.push(() => close());
      const t0 = Date.now();

      // 1. A link naming a run this browser does not hold: a notice, and the run leaves the hash.
      await page.goto(`${url}/#v=1&run=no-such-run&${CONTROLS}`, { waitUntil: 'load' });
      await until(() => page.locator('#arch').isEnabled(), 240_000, 'the model picker (backend and models ready)');
      const readyAt = Date.now();
      const notice = page.getByTestId('restore-notice');
      await until(async () => (await notice.count()) > 0, 60_000, 'the notice about the missing run');
      assert(/no longer in this browser/.test((await notice.textContent()) ?? ''), `notice: ${await notice.textContent()}`);
      await until(async () => !(await hashOf(page)).includes('run='), 10_000, 'the missing run to leave the hash');
      assert((await page.getByTestId('restored-run').count()) === 0, 'a run is shown although none was restored');

      // 2. Train: the finished run names itself in the hash; the open drawer too.
      const start = page.getByRole('button', { name: 'Start training' });
      await until(() => start.isEnabled(), 60_000, 'the Start button to be enabled');
      await press(start);
      await untilTrained(page, 240_000);
      const trainedAt = Date.now();
      await page.getByTestId('watermark-report-ber').waitFor({ timeout: 10_000 });
      const before = await shownResult(page);
      assert(Number(before.points) > 0, `no training curve: ${before.points} points`);
      await press(page.getByTestId('runs-tab'));
      const row = page.locator('[data-testid=run-row][data-current=yes]');
      await until(async () => (await row.count()) === 1 && (await row.getAttribute('data-stored')) === 'yes', 30_000, 'the saved current run in the drawer');
      const id = await row.getAttribute('data-run-id');
      const name = await row.getByTestId('run-name').textContent();
      await until(async () => {
        const h = await hashOf(page);
        return h.includes(`run=${encodeURIComponent(id)}`) && h.includes('open=runs');
      }, 10_000, `run=${id} and open=runs in the hash`);

      // 3. Reload: the run is loaded back into the worker and the view comes back.
      const reloadAt = Date.now();
      await page.reload({ waitUntil: 'load' });
      await until(() => page.locator('#arch').isEnabled(), 300_000, 'the model picker after the reload');
      const readyAgainAt = Date.now();
      const restored = page.getByTestId('restored-run');
      await until(async () => {
        if (await page.getByTestId('restore-notice').count()) throw new Error(`restore failed: ${await page.getByTestId('restore-notice').textContent()}`);
        return (await restored.count()) > 0;
      }, 300_000, 'the run to be restored');
      const restoredAt = Date.now();
      assert((await restored.getAttribute('data-run-id')) === id, `restored ${await restored.getAttribute('data-run-id')}, expected ${id}`);
      assert((await restored.getAttribute('data-complete')) === 'yes', 'the restored run lacks its full outcome');
      assert((await page.getByTestId('restored-run-name').textContent()) === name, 'the Training panel does not name the run');
      const after = await shownResult(page);
      assert(JSON.stringify(after) === JSON.stringify(before), `the view differs after the reload:\n  before ${JSON.stringify(before)}\n  after  ${JSON.stringify(after)}`);
      // The Runs drawer is open again and marks the run as current.
      assert(await page.getByTestId('runs-drawer').isVisible(), 'the Runs drawer is closed after the reload');
      assert((await page.getByTestId('runs-tab').getAttribute('aria-expanded')) === 'true', 'the runs tab is not expanded');
      const again = page.locator(`[data-testid=run-row][data-run-id="${id}"]`);
      await until(async () => (await again.getAttribute('data-current')) === 'yes', 30_000, 'the restored run to be current in the drawer');
      // The Attack panel works on it: its key is there (no "train first" notice), the sweep can start.
      const attack = page.getByTestId('attack-panel');
      const sweep = attack.getByRole('button', { name: 'Run sweep' });
      await until(() => sweep.isEnabled(), 30_000, 'the Attack panel to accept the restored run');
      assert((await attack.getByTestId('attack-disabled').count()) === 0, 'the Attack panel still asks for a trained model');
      assert(/R=0/.test((await attack.locator('#attack-name').getAttribute('placeholder')) ?? ''), 'the Attack panel does not name the key (R=0)');

      // 4. Closing the drawer leaves the hash; the run stays.
      await press(page.getByRole('button', { name: 'Close the runs drawer' }));
      await until(async () => !(await hashOf(page)).includes('open='), 10_000, 'open=runs to leave the hash');
      assert((await hashOf(page)).includes(`run=${encodeURIComponent(id)}`), 'the run left the hash');

      // 5. A reload during training loses that run (it lives in the page's worker): the next load says so.
      await page.locator('#epochs').fill('50');
      await until(() => start.isEnabled(), 30_000, 'the Start button after the restore');
      await press(start);
      await until(async () => (await page.getByTestId('progress').getAttribute('data-phase')) === 'training', 60_000, 'the second run to train');
      await until(async () => !(await hashOf(page)).includes('run='), 10_000, 'the running run to clear run= from the hash');
      await page.reload({ waitUntil: 'load' });
      const lost = page.getByTestId('restore-notice');
      await until(async () => (await lost.count()) > 0, 30_000, 'the notice about the interrupted run');
      assert(/training run was going when this page was reloaded/.test((await lost.textContent()) ?? ''), `notice: ${await lost.textContent()}`);
      assert((await page.getByTestId('restored-run').count()) === 0, 'a run is shown after a reload during training');

      const real = realErrors(errors);
      assert(real.length === 0, `console errors:\n  ${real.join('\n  ')}`);
      const s = (ms) => `${(ms / 1000).toFixed(0)} s`;
      return `run "${name}" (${before.accuracyText}, BER ${before.ber}, ${before.points} points): first load ready in ${s(readyAt - t0)}, trained in ${s(trainedAt - readyAt)}, ready again ${s(readyAgainAt - reloadAt)} after the reload, restored ${s(restoredAt - readyAgainAt)} later`;
    },
  },
];
