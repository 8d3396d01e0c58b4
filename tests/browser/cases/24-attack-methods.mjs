import { assert, badge, fillTinyRun, openApp, startTraining, until, untilTrained } from '../harness.mjs';

export default [
  {
    name: 'attack panel on an FCW run: trigger accuracy vs strength, the clean trigger accuracy at strength 0, interception refused; the comparison view attacks it too',
    // ~1 min after the backend is up (2 steps + a 2-point sweep on 16 images).
    timeout: 480_000,
    async run() {
      const { page, errors } = await openApp();
      await until(async () => (await badge().getAttribute('data-backend')) !== '', 300_000, 'the backend badge');
      if ((await page.locator('#wm-method option[value=fcw]').count()) === 0) return 'skipped: the Watermark panel offers no FCW method';
      // Tiny FCW run: cnn, 2 steps of 16 images, 8 triggers appended to each batch.
      await fillTinyRun(page);
      await page.locator('#wm-method').selectOption('fcw');
      await page.getByTestId('fcw-settings').waitFor({ timeout: 10_000 });
      await page.getByTestId('fcw-settings').getByLabel('Triggers value', { exact: true }).fill('8');
      await startTraining(page);
      await untilTrained(page);
      const clean = Number(await page.getByTestId('watermark-report-trigger-accuracy').getAttribute('data-value'));
      await until(async () => (await page.getByTestId('attack-disabled').count()) === 0, 30_000, 'the Attack panel to enable for an FCW run');

      // Key interception needs WaterMAS positions: refused up front for an FCW key.
      const run = page.getByRole('button', { name: 'Run sweep' });
      await page.locator('#attack-kind').selectOption('intercept');
      await until(async () => (await page.getByTestId('attack-unsupported').count()) === 1, 10_000, 'the interception notice');
      assert(await run.isDisabled(), 'Run sweep is enabled for key interception on an FCW key');

      // Earlier cases may have kept sweeps of other runs on the shared page: start from an empty chart.
      const clear = page.getByRole('button', { name: 'Clear runs' });
      if (await clear.isEnabled()) await clear.click();
      // A 2-strength noise sweep on 16 test images.
      await page.locator('#attack-kind').selectOption('noise');
      await page.locator('#attack-strengths').fill('0, 10');
      await page.locator('#attack-test').fill('16');
      await run.click();
      const status = page.getByTestId('attack-status');
      await until(async () => ['done', 'cancelled'].includes(await status.getAttribute('data-state')) || (await page.getByTestId('attack-error').count()) > 0, 120_000, 'the sweep to finish');
      assert((await page.getByTestId('attack-error').count()) === 0, `sweep failed: ${await page.getByTestId('attack-error').first().textContent().catch(() => '')}`);
      const chart = page.getByTestId('attack-trigger-chart');
      const points = Number(await chart.getAttribute('data-points'));
      assert(points === 2, `trigger-accuracy chart has ${points} points, expected 2`);
      assert((await page.getByTestId('attack-ber-chart').count()) === 0, 'a BER chart is shown for an FCW sweep');
      assert(Number(await page.getByTestId('attack-trigger-tradeoff-chart').getAttribute('data-points')) === 2, 'the trigger trade-off chart does not have 2 points');
      const table = page.getByTestId('attack-table');
      const header = (await table.locator('thead th').nth(4).textContent()) ?? '';
      assert(header === 'trigger acc.', `evidence column is "${header}", expected "trigger acc."`);
      const rows = table.locator('tbody tr');
      assert((await rows.count()) === 2, `table has ${await rows.count()} rows, expected 2`);
      assert(((await rows.first().locator('td').first().textContent()) ?? '').includes('FCW'), 'the series is not named after the FCW run');
      const zero = (await rows.first().locator('td').nth(4).textContent()) ?? '';
      const expected = `${(clean * 100).toFixed(1)} %`;
      assert(zero === expected, `trigger accuracy at strength 0 is "${zero}", the training report says ${expected}`);

      // The comparison view's attack picker (the same component, its own fields): the run at strength 0.
      const tab = page.getByTestId('runs-tab');
      if ((await tab.getAttribute('aria-expanded')) !== 'true') await tab.dispatchEvent('click');
      const current = page.locator('[data-testid=run-row][data-current=yes]');
      await until(async () => (await current.count()) === 1, 30_000, 'the FCW run to be listed as the current model');
      await current.getByRole('checkbox').check();
      const cmp = page.getByTestId('comparison-panel');
      await cmp.getByLabel('Attack', { exact: true }).selectOption('prune');
      await until(async () => (await cmp.getByLabel('Strengths', { exact: true }).inputValue()) !== '0, 1, 2, 7, 10', 5_000, 'the pruning grid in the strengths field');
      await cmp.getByLabel('Strengths', { exact: true }).fill('0');
      await cmp.getByLabel('Images for accuracy', { exact: true }).fill('16');
      await cmp.getByRole('button', { name: 'Compare 1 run' }).click();
      const cmpStatus = page.getByTestId('compare-status');
      await until(async () => (await cmpStatus.getAttribute('data-state')) === 'done' || (await page.getByTestId('compare-error').count()) > 0, 120_000, 'the comparison to finish');
      assert((await page.getByTestId('compare-error').count()) === 0, `comparison failed: ${await page.getByTestId('compare-error').first().textContent().catch(() => '')}`);
      const cmpRows = page.getByTestId('comparison-row');
      assert((await cmpRows.count()) === 1 && (await cmpRows.first().locator('.error-text').count()) === 0, 'the comparison has no clean row for the run');
      assert(Number(await page.getByTestId('comparison-chart').getAttribute('data-points')) === 1, 'the comparison chart does not have 1 point');
      await page.getByRole('button', { name: 'Close the runs drawer' }).click();
      assert(errors.length === 0, `console errors:\n  ${errors.join('\n  ')}`);
      return `clean trigger accuracy ${expected}; sweep: ${await status.textContent()}; comparison: ${await cmpStatus.textContent()}`;
    },
  },
];
