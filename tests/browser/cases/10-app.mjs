import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { assert, badge, fillTinyRun, openApp, ROOT, screenshotPath, startTraining, until } from '../harness.mjs';

export default [
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
      // The architectures arrive by their own worker call, which may answer after the data set.
      const options = page.getByLabel('Model', { exact: true }).locator('option');
      const listed = async () => {
        const n = await options.count();
        return n >= 2 ? n : 0;
      };
      const models = await until(listed, 60_000, 'the model picker to list at least two architectures');
      const fatal = await page.getByTestId('fatal-error').count();
      assert(fatal === 0, `the app shows an error: ${fatal ? await page.getByTestId('fatal-error').textContent() : ''}`);
      assert(errors.length === 0, `console errors:\n  ${errors.join('\n  ')}`);
      const src = await page.getByTestId('dataset-source').textContent();
      return `backend ${await badge().getAttribute('data-backend')}, data "${src}", ${thumbs} thumbnails, ${models} architectures`;
    },
  },
  {
    name: "the backend badge: auto starts on wasm next to a software WebGPU adapter, measures the GPU in the background and keeps the faster, with a measured time per step",
    timeout: 120_000,
    async run() {
      await openApp();
      await until(async () => (await badge().getAttribute('data-backend')) && (await badge().getAttribute('data-measuring')) === '', 90_000, 'the backend badge and its background measurement');
      const name = await badge().getAttribute('data-backend');
      const text = await badge().textContent();
      const title = (await badge().getAttribute('title')) ?? '';
      assert(/\d.*s\/step/.test(text ?? ''), `badge has no measured time per step: "${text}"`);
      // Chromium here exposes SwiftShader: a software adapter, so 'auto' must have raced it against wasm.
      assert(/GPU adapter: .*swiftshader.*\(software\)/i.test(title), `the badge does not name the software adapter:\n${title}`);
      assert((await badge().getAttribute('data-chosen-by')) === 'measurement', `auto did not choose by measurement:\n${title}`);
      assert(/measured against wasm, (wasm|webgpu) won/.test(title), `no measurement in the badge title:\n${title}`);
      // SwiftShader trains at seconds per step and wasm at a fraction of a second on this machine.
      assert(name === 'wasm', `badge shows "${name}", expected wasm to beat software WebGPU:\n${title}`);
      return `${text}; ${title.split('\n').find((l) => l.includes('measured against'))}`;
    },
  },
  {
    name: 'a short training run (paused and resumed) updates the chart and shows a final accuracy',
    timeout: 240_000,
    async run() {
      const { page, errors } = await openApp();
      await until(async () => (await badge().getAttribute('data-backend')) !== '', 90_000, 'the backend badge');
      // 20 steps: long enough that the pause lands before the run ends on a fast machine.
      await fillTinyRun(page, { train: 320 });
      await startTraining(page);
      // Pause and resume through the worker (the run waits at its next step boundary meanwhile).
      await page.getByRole('button', { name: 'Pause' }).click();
      await page.getByRole('button', { name: 'Resume' }).waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: 'Resume' }).click();
      await page.getByRole('button', { name: 'Pause' }).waitFor({ timeout: 30_000 });
      const chart = page.getByTestId('training-chart');
      await until(async () => Number(await chart.getAttribute('data-points')) >= 1, 180_000, 'a first point on the chart');
      await page.getByTestId('final-accuracy').waitFor({ timeout: 180_000 });
      const points = Number(await chart.getAttribute('data-points'));
      assert(points >= 2, `expected at least 2 chart points for 20 steps, got ${points}`);
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
];
