import { assert, badge, newPage, openApp, startTestPages, until } from '../harness.mjs';

export default [
  {
    name: 'the backend selector switches to cpu and measures it',
    timeout: 200_000,
    // About a minute on a busy 2-core machine (two cnn steps on cpu): opt-in to keep the suite short.
    extended: true,
    async run() {
      const { page, errors } = await openApp();
      const select = page.getByLabel('Backend preference');
      await until(() => select.isEnabled(), 100_000, 'the backend selector to be enabled');
      await select.selectOption('cpu');
      await until(async () => (await badge().getAttribute('data-backend')) === 'cpu' && (await page.getByTestId('backend-ms').count()) > 0, 100_000, 'the badge to show cpu');
      assert(errors.length === 0, `console errors:\n  ${errors.join('\n  ')}`);
      return badge().textContent();
    },
  },
  {
    name: 'webgpu and cpu gradients agree on one batch (cnn, max abs diff < 1e-4)',
    timeout: 240_000,
    async run() {
      const pagesUrl = await startTestPages();
      const p = await newPage();
      try {
        await p.page.goto(`${pagesUrl}/tests/browser/pages/gradcheck.html${process.env.GRADCHECK_QUERY ? `?${process.env.GRADCHECK_QUERY}` : ''}`, { waitUntil: 'domcontentloaded', timeout: 120_000 });
        const result = await until(() => p.page.evaluate(() => globalThis.__gradcheck), 220_000, 'the gradient check');
        assert(!result.error, `gradient check failed: ${result.error}`);
        assert(result.params > 0, 'no gradients compared');
        assert(result.ok && result.maxAbsDiff < 1e-4, `max abs diff ${result.maxAbsDiff} (param ${result.worstParam}) >= 1e-4; ${JSON.stringify(result)}`);
        return `max abs diff ${result.maxAbsDiff.toExponential(2)} over ${result.entries} entries of ${result.params} tensors (max |grad| ${result.maxAbsGrad.toExponential(2)}; loss cpu ${result.lossCpu.toFixed(5)}, webgpu ${result.lossWebgpu.toFixed(5)})`;
      } finally {
        await p.close();
      }
    },
  },
];
