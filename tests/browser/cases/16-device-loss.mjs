import { assert, badge, fillTinyRun, noRunGoing, openApp, startTraining, until, untilRun } from '../harness.mjs';

/** Picks a backend preference and waits for the badge to settle (returns the backend that runs). */
async function chooseBackend(page, preference, expected) {
  const select = page.getByLabel('Backend preference');
  await until(() => select.isEnabled(), 120_000, 'the backend selector to be enabled');
  await select.selectOption(preference);
  await until(async () => (await select.isEnabled()) && (await badge().getAttribute('data-backend')) !== '' && (expected === null || (await badge().getAttribute('data-backend')) === expected), 180_000, `the badge to show ${expected ?? 'a backend'}`);
  return badge().getAttribute('data-backend');
}

export default [
  {
    name: 'device loss: a WaterMAS run on WebGPU whose device is destroyed resumes on WebGL from its checkpoint, BER 0',
    timeout: 480_000,
    async run() {
      const { page, errors } = await openApp();
      await until(async () => (await badge().getAttribute('data-backend')) !== '', 180_000, 'the backend badge');
      await noRunGoing(page);
      // The shared page is opened with ?testHooks (harness.mjs): the page-side hook exists.
      assert(await page.evaluate(() => typeof globalThis.__wmlabTest?.simulateDeviceLoss === 'function'), 'no test hook with ?testHooks');
      const before = await chooseBackend(page, 'webgpu', null);
      assert(before === 'webgpu', `the backend preference "webgpu" gave ${before} (no WebGPU adapter in this browser?)`);
      try {
        // Tiny WaterMAS run: cnn, 2 steps of 16 on 32 images per epoch, 3 epochs (6 steps), 32 marked weights, R 0.
        const method = page.locator('#wm-method');
        const methodBefore = await method.inputValue();
        await fillTinyRun(page, { epochs: 3, watermark: { bits: 32, replicas: 0 } });
        // The live landscape (sized to the run: a refresh before every step of these 6) would
        // measure on software WebGPU for minutes: off for this case, back to auto after it.
        await page.locator('#ls-live-auto').setChecked(false);
        await page.locator('#ls-live-every').fill('0');
        await startTraining(page);
        const progress = page.getByTestId('progress');
        await untilRun(page, async () => Number(await progress.getAttribute('data-step')) >= 1, 240_000, 'the first step on WebGPU');
        const lostAt = Number(await progress.getAttribute('data-step'));
        const destroyed = await page.evaluate(() => globalThis.__wmlabTest.simulateDeviceLoss());
        assert(destroyed === true, 'simulateDeviceLoss() found no WebGPU device of a running run');
        // The resume notice shows while the run goes on (training reports carry it); the run then finishes.
        const notice = page.getByTestId('device-loss');
        let noticeText = null;
        await untilRun(
          page,
          async () => {
            if (noticeText === null && (await notice.count()) > 0) noticeText = (await notice.textContent())?.trim() ?? '';
            if ((await page.getByTestId('train-error').count()) > 0) throw new Error(`the run failed: ${await page.getByTestId('train-error').textContent()}`);
            return (await page.getByTestId('final-accuracy').count()) > 0;
          },
          360_000,
          'the resumed run to finish',
        );
        assert(noticeText !== null, 'no device-loss notice was shown while the run went on');
        const m = /^The GPU device was lost \((.+)\); the run goes on with (\w+) from its checkpoint of step (\d+)\.$/.exec(noticeText);
        // After the run the notice stays, in the past tense (from the run's outcome).
        const after = (await notice.textContent())?.trim() ?? '';
        assert(/the run went on with webgl from its checkpoint of step \d+\.$/.test(after), `notice after the run: "${after}"`);
        assert(m && m[2] === 'webgl', `notice: "${noticeText}"`);
        const resumedFrom = Number(m[3]);
        assert(resumedFrom <= lostAt, `resumed from step ${resumedFrom}, after the loss at step ${lostAt}`);
        assert((await badge().getAttribute('data-backend')) === 'webgl', `the badge shows ${await badge().getAttribute('data-backend')} after the loss`);
        // The watermark came through: live BER 0 and unchanged marks, final verdict with BER 0.
        assert(Number(await page.getByTestId('watermark-ber').getAttribute('data-value')) === 0, 'final live BER is not 0');
        assert((await page.getByTestId('watermark-frozen').getAttribute('data-value')) === 'true', 'the marked weights changed');
        const verdict = page.getByTestId('watermark-verdict');
        await verdict.waitFor({ timeout: 30_000 });
        assert((await verdict.getAttribute('data-detected')) === 'true', `verdict: ${await verdict.textContent()}`);
        const reportBer = (await page.getByTestId('watermark-report-ber').textContent())?.trim() ?? '';
        assert(/^0(\.0+)?\s*%$/.test(reportBer), `final BER "${reportBer}", expected 0 %`);
        await method.selectOption(methodBefore);
        // Console errors the lost device itself may print are part of the scenario; anything else fails.
        const fromDevice = (e) => /device (was )?(lost|destroyed)|destroyed device|GPUDevice|WebGPU|mapAsync/i.test(e);
        const unexpected = errors.filter((e) => !fromDevice(e));
        assert(unexpected.length === 0, `console errors:\n  ${unexpected.join('\n  ')}`);
        const deviceErrors = errors.filter(fromDevice);
        errors.splice(0, errors.length, ...unexpected); // later cases on the shared page do not see the expected ones
        return `device destroyed after step ${lostAt}; resumed on webgl from step ${resumedFrom}: "${noticeText}"; verdict ${await verdict.textContent()}, BER ${reportBer}; ${deviceErrors.length} console errors of the lost device${deviceErrors.length ? `: ${deviceErrors.slice(0, 2).join(' | ').slice(0, 300)}` : ''}`;
      } finally {
        // Later cases start from the normal state.
        await noRunGoing(page);
        await page.locator('#ls-live-auto').setChecked(true);
        await chooseBackend(page, 'auto', null);
      }
    },
  },
];
