import { assert, badge, fillTinyRun, openApp, until } from '../harness.mjs';

export default [
  {
    name: 'live landscape: a 2-step watermarked cnn run streams live slices and a sharpness history into the Landscape panel',
    timeout: 590_000,
    async run() {
      const { page, errors } = await openApp();
      await until(async () => (await badge().getAttribute('data-backend')) !== '', 240_000, 'the backend badge');
      if ((await page.locator('#ls-live-every').count()) === 0) return 'skipped: the live landscape controls are not in the app';
      // Live view: every step, 3 points per slice, 16 images (6 inference passes per refresh).
      const auto = page.locator('#ls-live-auto');
      assert(await auto.isChecked(), 'the live refresh is not sized to the run by default');
      await auto.setChecked(false);
      await page.locator('#ls-live-every').fill('1');
      await page.locator('#ls-live-grid').fill('3');
      await page.locator('#ls-live-eval').fill('16');
      // Tiny watermarked run: cnn, 2 steps of 16, 32 marked weights, R = 0.
      const form = page.getByRole('region', { name: 'Training' });
      await fillTinyRun(page, { watermark: { bits: 32, replicas: 0 } });
      const start = form.getByRole('button', { name: 'Start training' });
      await until(() => start.isEnabled(), 60_000, 'the Start button to be enabled');
      const t0 = Date.now();
      await start.click();
      const status = page.getByTestId('landscape-live-status');
      // A live point while the run goes on or right after (steps 0, 1 and the trained model, 2).
      await until(async () => Number(await status.getAttribute('data-points')) >= 1, 300_000, 'a live landscape point');
      await page.getByTestId('final-accuracy').waitFor({ timeout: 300_000 });
      await until(async () => Number(await status.getAttribute('data-points')) === 3, 20_000, '3 live points (steps 0, 1, 2)');
      const history = Number(await page.getByTestId('landscape-live-history').getAttribute('data-points'));
      assert(history === 3, `history chart has ${history} points, expected 3`);
      const chart = Number(await page.getByTestId('landscape-live-chart').getAttribute('data-points'));
      assert(chart === 6, `live slice chart has ${chart} points, expected 6 (3 per subspace)`);
      const path = await page.getByTestId('landscape-live-chart').locator('.recharts-line-curve').first().getAttribute('d');
      assert(path && path.length > 5, 'the live slice line has no path');
      const ratio = await page.getByTestId('landscape-live-ratio').textContent();
      const liveError = page.getByTestId('landscape-live-error');
      if ((await liveError.count()) > 0) throw new Error(`live error: ${await liveError.textContent()}`);
      const text = await status.textContent();
      assert(/step 2 \/ 2/.test(text ?? ''), `status "${text}" does not show the final step`);
      // Back to the panel's default (sized to the run) for the later cases.
      await auto.setChecked(true);
      assert(errors.length === 0, `console errors:\n  ${errors.join('\n  ')}`);
      return `${history} live points in ${((Date.now() - t0) / 1000).toFixed(0)} s (run included); last: ${text}, ratio ${ratio}`;
    },
  },
];
