/* global location */
import { assert, badge, fillTinyRun, noRunGoing, openApp, startTraining, until, untilRun } from '../harness.mjs';

/** Keyboard focus back to the page, so that shortcuts are not typed into a field. */
const blur = (page) => page.evaluate('document.activeElement && document.activeElement.blur && document.activeElement.blur()');

const attr = (loc, name) => loc.getAttribute(name);

export default [
  {
    name: 'session: space starts and pauses, the R slider applies at the next step (chart marker + worker state), s steps, ? opens the help',
    timeout: 600_000,
    async run() {
      const { page, errors } = await openApp();
      await until(async () => (await badge().getAttribute('data-backend')) !== '', 180_000, 'the backend badge');
      // 40 steps: enough that the pause lands mid-run however fast the backend is (4 steps did not
      // on a quiet machine: the run ended before the pause, with no live state to read).
      await fillTinyRun(page, { epochs: 2, lr: 0.01, train: 320, watermark: { bits: 32, replicas: 0 } });
      // The live landscape (Landscape panel) would measure slices between steps: off for this case.
      const liveEvery = page.locator('#ls-live-every');
      const liveAuto = page.locator('#ls-live-auto');
      const everyBefore = (await liveEvery.count()) > 0 ? { auto: await liveAuto.isChecked(), every: await liveEvery.inputValue() } : null;
      if (everyBefore !== null) {
        await liveAuto.setChecked(false);
        await liveEvery.fill('0');
      }
      const start = page.getByRole('button', { name: 'Start training' });
      await until(() => start.isEnabled(), 60_000, 'the Start button to be enabled');
      // ? opens the shortcut help; Esc closes it.
      await blur(page);
      await page.keyboard.press('?');
      const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
      await help.waitFor({ timeout: 5_000 });
      const rows = await help.locator('kbd').allTextContents();
      assert(rows.join(' ') === 'Space s c ?', `help lists ${rows.join(' ')}`);
      await page.keyboard.press('Escape');
      await help.waitFor({ state: 'detached', timeout: 5_000 });
      // Space starts the run, space again pauses it after the first step.
      await blur(page);
      await page.keyboard.press(' ');
      const progress = page.getByTestId('progress');
      await untilRun(page, async () => Number(await attr(progress, 'data-step')) >= 1, 300_000, 'the first step');
      await blur(page);
      await page.keyboard.press(' ');
      const live = page.getByTestId('session-live-state');
      // paused, and the in-flight step (if any) reported: worker step == last reported step
      await until(
        async () => (await live.count()) > 0 && (await attr(live, 'data-paused')) === 'true' && (await attr(live, 'data-step')) === (await attr(progress, 'data-step')),
        60_000,
        'the paused worker state',
      );
      const k = Number(await attr(live, 'data-step'));
      assert(k < 40, `paused at step ${k}: no step left to run`);
      assert((await attr(live, 'data-replicas')) === '0', `worker R is ${await attr(live, 'data-replicas')} before the change`);
      // Move R to 2 while paused: applies at the next step, not before.
      await page.locator('#wm-replicas').fill('2');
      await page.waitForTimeout(500);
      assert((await page.getByTestId('training-markers').count()) === 0, 'a marker appeared before the next step');
      // s: exactly one step, then paused again.
      await blur(page);
      await page.keyboard.press('s');
      await untilRun(page, async () => Number(await attr(live, 'data-step')) === k + 1 && (await attr(live, 'data-replicas')) === '2', 180_000, 'the stepped worker state with R = 2');
      await page.waitForTimeout(1_000);
      assert(Number(await attr(live, 'data-step')) === k + 1, `step mode ran ${Number(await attr(live, 'data-step')) - k} steps`);
      const marker = page.getByTestId('training-markers').locator('li');
      await until(async () => (await marker.count()) === 1, 10_000, 'the chart marker');
      assert(Number(await attr(marker, 'data-step')) === k && (await attr(marker, 'data-label')) === 'R=2', `marker at ${await attr(marker, 'data-step')}: ${await attr(marker, 'data-label')}, expected ${k}: R=2`);
      const lines = await page.locator('.training-marker').count();
      assert(lines === 2, `${lines} marker lines on the charts, expected 2 (loss and accuracy)`);
      const phases = page.getByTestId('phase-indicator');
      assert((await attr(phases, 'data-phases')) === '4', `phase indicator lists ${await attr(phases, 'data-phases')} phases, expected 4 (clean, 2 replicas, update)`);
      const phaseText = await phases.locator('li').allTextContents();
      assert(phaseText.join('|') === 'clean pass|replica 1/2|replica 2/2|update', `phases: ${phaseText.join('|')}`);
      // Space resumes; the run finishes.
      await blur(page);
      await page.keyboard.press(' ');
      await page.getByTestId('final-accuracy').waitFor({ timeout: 300_000 });
      // The live change follows into the link and the run's name (the key records it too: unit tests).
      assert(/[#&]R=2(&|$)/.test(await page.evaluate(() => location.hash)), `the URL hash does not carry R=2: ${await page.evaluate(() => location.hash)}`);
      const runName = page.locator('[data-testid=run-row][data-current=yes] [data-testid=run-name]');
      await until(async () => (await runName.count()) > 0, 30_000, 'the run in the Runs drawer');
      const name = await runName.textContent();
      assert(/live R 0→2/.test(name ?? ''), `the run's name does not show the live change: "${name}"`);
      await page.locator('#wm-replicas').fill('0');
      if (everyBefore !== null) {
        if (everyBefore.auto) await liveAuto.setChecked(true);
        else await liveEvery.fill(everyBefore.every);
      }
      assert(errors.length === 0, `console errors:\n  ${errors.join('\n  ')}`);
      return `paused at step ${k}; R=2 from step ${k + 1} (run "${name}"): marker "${await attr(marker, 'data-label')}" at ${k}, worker R 2; phases ${phaseText.join(' → ')}`;
    },
  },
  {
    // The recipe: a WaterMAS run with a huge λ (unbounded form, margin off) and the largest
    // learning rate the training contract allows (src/protocol/training.ts: 10).
    name: 'session: a forced NaN (huge λ and learning rate) stops cleanly with the message and keeps the checkpoint',
    timeout: 480_000,
    async run() {
      const { page, errors } = await openApp();
      await until(async () => (await badge().getAttribute('data-backend')) !== '', 180_000, 'the backend badge');
      await noRunGoing(page);
      const method = page.locator('#wm-method');
      const lambda = page.locator('#wm-lambda');
      const marginOn = page.locator('#wm-margin-on');
      const before = { method: await method.inputValue(), lambda: await lambda.inputValue(), margin: await marginOn.isChecked() };
      await fillTinyRun(page, { epochs: 5, lr: 10, watermark: { bits: 32, replicas: 1 } });
      await lambda.fill('10000');
      if (before.margin) await marginOn.uncheck();
      await startTraining(page);
      const msg = page.getByTestId('train-diverged');
      await untilRun(page, () => msg.count(), 400_000, 'the divergence message');
      const text = await msg.textContent();
      assert(
        /^The (loss diverged at|weights became non-finite by) step \d+ .*Training stopped; the model is the last good checkpoint from step \d+\.$/.test(text ?? ''),
        `message: ${text}`,
      );
      const at = Number(await attr(msg, 'data-step'));
      const cp = Number(await attr(msg, 'data-checkpoint'));
      assert(cp < at, `checkpoint step ${cp} is not before the divergence at ${at}`);
      // The kept model was evaluated: the run ended on its checkpoint instead of failing.
      const acc = await page.getByTestId('final-accuracy').getAttribute('data-value');
      assert(acc !== '' && Number.isFinite(Number(acc)), `final accuracy "${acc}"`);
      assert((await page.getByTestId('train-error').count()) === 0, 'the run failed instead of stopping on its checkpoint');
      // Leave the shared page as it was for the next cases.
      await page.locator('#lr').fill('0.01');
      await page.locator('#wm-replicas').fill('0');
      await lambda.fill(before.lambda);
      if (before.margin) await marginOn.check();
      await method.selectOption(before.method);
      assert(errors.length === 0, `console errors:\n  ${errors.join('\n  ')}`);
      return `${text} (accuracy of the kept model ${acc})`;
    },
  },
];
