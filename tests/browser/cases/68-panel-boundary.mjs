/**
 * A panel that throws while rendering says so and offers to reload itself; the rest of the page
 * keeps working (issue 20, "no silent failure"). The fault is injected by the page's test hooks
 * (`?testHooks&panelFault=attack`, src/ui/testHooks.ts), until the panel is reloaded. One fresh page of
 * its own (its own URL).
 */
import { join, resolve } from 'node:path';
import { ROOT, assert, cleanups, getAppUrl, newPage, startPreview } from '../harness.mjs';

const INJECTED = /fault injected into the attack panel/;

export default [
  {
    name: 'panel error boundary: a failing panel shows its error, the others still work, "Reload panel" brings it back',
    timeout: 300_000,
    async run() {
      const url = getAppUrl() ?? (await startPreview());
      const { page, errors, close } = await newPage();
      cleanups.push(() => close());
      await page.goto(`${url}/?testHooks&panelFault=attack`, { waitUntil: 'load' });
      const card = page.getByTestId('panel-error-attack');
      await card.waitFor({ timeout: 60_000 });
      const text = (await card.textContent()) ?? '';
      assert(INJECTED.test(text) && /Reload panel/.test(text), `error card: "${text}"`);
      assert((await page.getByTestId('attack-panel').count()) === 0, 'the failed panel is still rendered');

      // Another panel, through the engine worker: the good fixture verifies.
      const good = resolve(ROOT, 'tests/fixtures/good');
      await page.getByTestId('verify-input').setInputFiles([join(good, 'model.safetensors'), join(good, 'key.json')]);
      const verdict = page.getByTestId('verify-verdict');
      await verdict.waitFor({ timeout: 240_000 });
      assert((await verdict.getAttribute('data-detected')) === 'true', `verify next to the failed panel: "${await verdict.textContent()}"`);

      await card.getByRole('button', { name: 'Reload panel' }).click();
      await page.getByTestId('attack-panel').waitFor({ timeout: 10_000 });
      assert((await card.count()) === 0, 'the error card stays after the reload');
      const unexpected = errors.filter((e) => !INJECTED.test(e));
      assert(unexpected.length === 0, `console errors besides the injected fault:\n  ${unexpected.join('\n  ')}`);
      return `"${text.trim().slice(0, 120)}…"; Verify still detects; the panel is back after "Reload panel"`;
    },
  },
];
