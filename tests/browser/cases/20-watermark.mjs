import { assert, badge, fillTinyRun, openApp, startTraining, until, untilTrained } from '../harness.mjs';

export default [
  {
    name: 'attack sweep and 1-D landscape on a 2-step watermarked cnn stream into their charts',
    timeout: 480_000,
    async run() {
      const { page, errors } = await openApp();
      await until(async () => (await badge().getAttribute('data-backend')) !== '', 90_000, 'the backend badge');
      if ((await page.locator('#wm-method').count()) === 0) return 'skipped: the Watermark panel is not in the app (no way to train a keyed model)';
      // Tiny watermarked run: cnn, 2 steps of 16, 32 marked weights, R = 0 (no replica passes).
      await fillTinyRun(page, { watermark: { bits: 32, replicas: 0 } });
      await startTraining(page);
      await untilTrained(page);
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
      // the key rise against matched controls (their ratio may be undefined on a 2-step model: '–')
      const kvc = await page.getByTestId('kvc-key').textContent();
      assert(/\d.*±.*\d/.test(kvc ?? ''), `key rise ± spread shows no numbers: "${kvc}"`);
      assert(errors.length === 0, `console errors:\n  ${errors.join('\n  ')}`);
      return `sweep: ${await status.textContent()}; landscape: ${await ls.textContent()}, sharpness ratio ${ratio}, key rise ${kvc}`;
    },
  },
  {
    name: 'a text watermark (WaterMAS, R = 1) reads back with BER 0 and downloads model and key',
    timeout: 360_000,
    async run() {
      const { page, errors } = await openApp();
      await until(async () => (await badge().getAttribute('data-backend')) !== '', 90_000, 'the backend badge');
      // Tiny run: cnn, 2 steps of 16 on 32 images; payload "© WM Lab" (72 marked weights), one replica.
      await fillTinyRun(page);
      await page.locator('#wm-method').selectOption('watermas');
      await page.locator('#wm-payload-kind').selectOption('text');
      await page.getByLabel('Watermark text').fill('© WM Lab');
      await page.getByLabel('Replicas R value').fill('1');
      await startTraining(page);
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
];
