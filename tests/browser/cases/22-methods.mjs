import { assert, badge, fillTinyRun, openApp, startTraining, until, untilTrained } from '../harness.mjs';

export default [
  {
    name: 'FCW in the Watermark panel: trigger gallery preview, a 2-step run, predictions and trigger accuracy',
    // ~1 min after the backend is up (2 SwiftShader steps); alone on a loaded machine the backend start itself can take minutes.
    timeout: 480_000,
    async run() {
      const { page, errors } = await openApp();
      await until(async () => (await badge().getAttribute('data-backend')) !== '', 300_000, 'the backend badge');
      const panel = page.getByRole('region', { name: 'Watermark' });
      const method = page.locator('#wm-method');
      assert((await method.locator('option[value=fcw]').count()) === 1, 'the Watermark panel offers no FCW method');
      assert((await method.locator('option[value=uchida]').count()) === 1, 'the Watermark panel offers no Uchida method');
      // Tiny run: cnn, 1 epoch of 32 images in batches of 16 (2 steps), 8 triggers appended to each batch.
      await fillTinyRun(page);
      await method.selectOption('fcw');
      await page.getByTestId('fcw-settings').waitFor({ timeout: 10_000 });
      await page.getByTestId('fcw-settings').getByLabel('Triggers value', { exact: true }).fill('8');
      // Before training: a preview of the 8 triggers the settings fuse from the loaded images, no predictions.
      const gallery = page.getByTestId('trigger-gallery');
      await until(async () => (await gallery.count()) > 0 && (await gallery.getAttribute('data-count')) === '8', 30_000, 'a preview of 8 triggers');
      assert((await gallery.getAttribute('data-origin')) === 'preview', `gallery origin ${await gallery.getAttribute('data-origin')}, expected preview`);
      const cells = gallery.getByTestId('trigger-cell');
      assert((await cells.count()) === 8, `${await cells.count()} trigger cells, expected 8`);
      assert((await gallery.locator('canvas').count()) === 8, 'expected 8 trigger thumbnails');
      const firstLabel = (await cells.first().locator('.trigger-label').textContent()) ?? '';
      assert(/\S \+ \S/.test(firstLabel), `first trigger label "${firstLabel}" does not name two source classes`);
      const target = (await page.getByTestId('trigger-target').textContent()) ?? '';
      assert(target.length > 0, 'no target class shown');
      for (let i = 0; i < 8; i++) assert((await cells.nth(i).getAttribute('data-prediction')) === '', `trigger ${i} has a prediction before training`);
      const perBatch = await page.locator('#wm-fcw-per-batch').inputValue();
      assert(perBatch === '8', `triggers per batch ${perBatch}, expected it clamped to 8`);

      await startTraining(page);
      await untilTrained(page);
      // Live trigger accuracy during the run, the verdict after it.
      const live = page.getByTestId('watermark-trigger-accuracy');
      await until(async () => (await live.count()) > 0 && (await live.getAttribute('data-value')) !== '', 30_000, 'a live trigger accuracy');
      const reportAcc = Number(await page.getByTestId('watermark-report-trigger-accuracy').getAttribute('data-value'));
      assert(reportAcc >= 0 && reportAcc <= 1, `report trigger accuracy ${reportAcc}`);
      // After training: the model's triggers with its predictions.
      await until(async () => (await gallery.getAttribute('data-origin')) === 'model', 30_000, 'the gallery to show the trained model');
      const preds = [];
      for (let i = 0; i < 8; i++) preds.push(await cells.nth(i).getAttribute('data-prediction'));
      assert(preds.every((p) => p !== '' && Number.isInteger(Number(p))), `predictions: ${preds.join(',')}`);
      const galleryAcc = Number(await gallery.getAttribute('data-accuracy'));
      assert(galleryAcc === reportAcc, `gallery trigger accuracy ${galleryAcc}, report ${reportAcc}`);
      // On demand: the same model gives the same predictions.
      await panel.getByRole('button', { name: 'Refresh predictions' }).click();
      await page.waitForTimeout(500);
      assert(Number(await gallery.getAttribute('data-accuracy')) === reportAcc, 'refreshed predictions differ');
      // The key is an FCW key file.
      const { readFile } = await import('node:fs/promises');
      const [keyDl] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), panel.getByRole('button', { name: 'Download key.json' }).click()]);
      const key = JSON.parse(await readFile(await keyDl.path(), 'utf8'));
      assert(key.method === 'fcw' && key.sources.length === 8 && key.triggers.kind === 'pixels', `unexpected key: ${JSON.stringify(key).slice(0, 200)}`);
      assert(errors.length === 0, `console errors:\n  ${errors.join('\n  ')}`);
      return `target ${target}, trigger accuracy ${(100 * reportAcc).toFixed(1)} %, predictions ${preds.join(',')}`;
    },
  },
];
