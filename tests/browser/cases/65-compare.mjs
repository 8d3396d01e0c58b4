import { assert, badge, openApp, until } from '../harness.mjs';

/** Number of drawn line paths (non-empty `d`) in a chart. */
async function drawnLines(chart) {
  const ds = await chart.locator('.recharts-line-curve').evaluateAll((els) => els.map((e) => e.getAttribute('d') ?? ''));
  return ds.filter((d) => d.length > 5).length;
}

async function lanePoints(page, testId) {
  const c = page.getByTestId(testId);
  return { a: Number(await c.getAttribute('data-points-a')), b: Number(await c.getAttribute('data-points-b')), lines: await drawnLines(c) };
}

export default [
  {
    name: 'compare mode: R = 0 vs R = 1 trained in turn, both runs on the training, landscape and trade-off charts',
    // 4 steps, 2 landscapes, 2 sweeps: ~50 s on wasm (what 'auto' picks over SwiftShader here); minutes on SwiftShader WebGPU.
    timeout: 300_000,
    async run() {
      const { page, errors } = await openApp();
      await until(async () => (await badge().getAttribute('data-backend')) !== '', 150_000, 'the backend badge');
      // Opens and closes with the 'c' shortcut (the shortcut table's compare handler), then opens with its button.
      const pressC = async () => {
        await page.evaluate(() => globalThis.document.activeElement?.blur?.());
        await page.keyboard.press('c');
      };
      const mode = page.getByTestId('compare-mode');
      await pressC();
      await mode.waitFor({ timeout: 10_000 });
      await pressC();
      await until(async () => (await mode.count()) === 0, 10_000, "compare mode to close on the 'c' key");
      await page.getByRole('button', { name: 'Compare R = 0 vs R = 4' }).click();
      await mode.waitFor({ timeout: 10_000 });
      // Tiny runs: cnn, 32 images, batches of 16, 1 epoch = 2 steps each; 32 bits; R 0 vs 1.
      await page.locator('#arch').selectOption('cnn');
      await page.locator('#epochs').fill('1');
      await page.locator('#batch-size').fill('16');
      await page.locator('#lr').fill('0.01');
      await page.locator('#train-limit').fill('32');
      await page.locator('#test-limit').fill('16');
      await page.getByLabel('Replicas R (B) value').fill('1');
      await page.locator('#cmp-bits').fill('32');
      await page.locator('#cmp-ls-grid').fill('3');
      await page.locator('#cmp-ls-eval').fill('16');
      await page.locator('#cmp-attack-strengths').fill('0, 10');
      await page.locator('#cmp-attack-test').fill('16');
      const start = page.getByRole('button', { name: 'Start compare' });
      await until(() => start.isEnabled(), 60_000, 'the Start compare button to be enabled');
      assert((await page.locator('#compare-mode-title').textContent()) === 'Compare R = 0 vs R = 1', `title: ${await page.locator('#compare-mode-title').textContent()}`);
      const t0 = Date.now();
      await start.click();
      await until(async () => ['finished', 'failed'].includes(await mode.getAttribute('data-state')), 360_000, 'the comparison to finish');
      const seconds = (Date.now() - t0) / 1000;
      const failed = await page.getByTestId('compare-mode-error').count();
      assert(failed === 0, `compare failed: ${failed ? await page.getByTestId('compare-mode-error').textContent() : ''}`);
      const loss = await lanePoints(page, 'compare-mode-loss-chart');
      assert(loss.a === 2 && loss.b === 2 && loss.lines === 2, `loss chart: ${JSON.stringify(loss)} (expected 2 points per run, 2 lines)`);
      const acc = await lanePoints(page, 'compare-mode-accuracy-chart');
      assert(acc.lines === 2, `accuracy chart: ${JSON.stringify(acc)}`);
      for (const id of ['compare-mode-landscape-key-chart', 'compare-mode-landscape-complement-chart']) {
        const ls = await lanePoints(page, id);
        assert(ls.a === 3 && ls.b === 3 && ls.lines === 2, `${id}: ${JSON.stringify(ls)} (expected 3 points per run, 2 lines)`);
      }
      const trade = await lanePoints(page, 'compare-mode-tradeoff-chart');
      assert(trade.a === 2 && trade.b === 2 && trade.lines === 2, `trade-off chart: ${JSON.stringify(trade)} (expected 2 points per run, 2 lines)`);
      const result = await page.getByTestId('compare-mode-result').textContent();
      assert(/BER 0\.000[\s\S]*BER 0\.000/.test(result ?? ''), `both runs should read the mark back with BER 0: ${result}`);
      // the paired line: B's key rise over A's, next to the matched controls' ratio
      const paired = page.getByTestId('compare-mode-paired');
      assert((await paired.count()) === 1, 'no paired key-vs-control line');
      const pairedText = (await paired.textContent()) ?? '';
      assert(/raises the loss .+matched control weights/.test(pairedText), `paired line: ${pairedText}`);
      assert(errors.length === 0, `console errors:\n  ${errors.join('\n  ')}`);
      return `${seconds.toFixed(0)} s; ${result?.replace(/\s+/g, ' ')}`;
    },
  },
];
