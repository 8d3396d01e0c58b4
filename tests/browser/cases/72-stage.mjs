/* global document, innerWidth, innerHeight, location */
/**
 * The lecture stage (issue 20): at 1280x720 and 1920x1080 the sharpness preset's stage shows
 * its controls and its charts (training, key-subspace landscape, attack trade-off) on one
 * screen: no page scrolling, every box inside the viewport, the Runs tab over none of them.
 */
import { assert, ownAppPage, until } from '../harness.mjs';

/** Boxes (viewport coordinates) of the elements the stage must show, by name. */
async function stageBoxes(page) {
  return page.evaluate(() => {
    const box = (el) => {
      const r = el.getBoundingClientRect();
      return { top: r.top, left: r.left, bottom: r.bottom, right: r.right, width: r.width, height: r.height };
    };
    const one = (sel) => document.querySelector(sel);
    const named = {
      'stage toggle': one('[data-testid=stage-toggle]'),
      'compare mode': one('[data-testid=compare-mode]'),
      'replicas R (A)': one('#cmp-a-replicas'),
      'replicas R (B)': one('#cmp-b-replicas'),
      'Start compare': [...document.querySelectorAll('button')].find((b) => b.textContent === 'Start compare'),
      'status A': one('[data-testid=compare-mode-status-a]'),
      'status B': one('[data-testid=compare-mode-status-b]'),
      'training loss chart': one('[data-testid=compare-mode-loss-chart]'),
      'key-subspace landscape chart': one('[data-testid=compare-mode-landscape-key-chart]'),
      'trade-off chart': one('[data-testid=compare-mode-tradeoff-chart]'),
    };
    const out = {};
    for (const [name, el] of Object.entries(named)) out[name] = el ? box(el) : null;
    const tab = one('.runs-tab');
    return {
      boxes: out,
      runsTab: tab ? box(tab) : null,
      scroll: { height: document.documentElement.scrollHeight, width: document.documentElement.scrollWidth },
      viewport: { width: innerWidth, height: innerHeight },
      hash: location.hash,
    };
  });
}

function checkFits(r, size) {
  const problems = [];
  if (r.scroll.height > r.viewport.height + 1) problems.push(`the page scrolls: ${r.scroll.height} px tall in a ${r.viewport.height} px viewport`);
  if (r.scroll.width > r.viewport.width + 1) problems.push(`the page scrolls sideways: ${r.scroll.width} px wide`);
  for (const [name, b] of Object.entries(r.boxes)) {
    if (!b) {
      problems.push(`${name}: not on the page`);
      continue;
    }
    if (b.width < 1 || b.height < 1) problems.push(`${name}: not shown (${b.width}x${b.height})`);
    if (b.top < -0.5 || b.left < -0.5 || b.bottom > r.viewport.height + 0.5 || b.right > r.viewport.width + 0.5) {
      problems.push(`${name}: outside the ${size} viewport (${JSON.stringify(b)})`);
    }
    const t = r.runsTab;
    if (t && name !== 'stage toggle' && t.left < b.right && t.right > b.left && t.top < b.bottom && t.bottom > b.top) problems.push(`the Runs tab covers ${name}`);
  }
  for (const chart of ['training loss chart', 'key-subspace landscape chart', 'trade-off chart']) {
    const b = r.boxes[chart];
    if (b && b.height < 150) problems.push(`${chart}: only ${b.height.toFixed(0)} px tall`);
  }
  return problems;
}

export default [
  {
    name: 'stage: the sharpness preset shows its controls and charts on one screen at 1280x720 and 1920x1080; the Stage button leaves it',
    timeout: 180_000,
    async run() {
      const { page, errors, base } = await ownAppPage();
      const details = [];
      await page.setViewportSize({ width: 1280, height: 720 });
      await page.goto(`${base}/#preset=sharpness-tradeoff&stage=1`, { waitUntil: 'load' });
      const start = page.getByRole('button', { name: 'Start compare' });
      await until(() => start.isEnabled(), 60_000, '"Start compare" to be enabled');
      for (const size of [
        { width: 1280, height: 720 },
        { width: 1920, height: 1080 },
      ]) {
        await page.setViewportSize(size);
        await page.waitForTimeout(300);
        const r = await stageBoxes(page);
        const label = `${size.width}x${size.height}`;
        const problems = checkFits(r, label);
        assert(problems.length === 0, `${label}:\n  ${problems.join('\n  ')}`);
        const charts = ['training loss chart', 'key-subspace landscape chart', 'trade-off chart'].map((c) => r.boxes[c].height.toFixed(0));
        details.push(`${label}: charts ${charts.join('/')} px tall`);
      }
      assert((await page.getByTestId('stage-toggle').getAttribute('aria-pressed')) === 'true', 'the Stage button is not pressed on the stage');
      // Leaving the stage: the page is the long single column again, with every panel.
      await page.getByTestId('stage-toggle').click();
      await until(async () => (await page.locator('.app[data-stage]').count()) === 0, 10_000, 'the stage to close');
      await until(async () => !(await page.evaluate(() => location.hash)).includes('stage=1'), 5_000, 'the hash to drop stage=1');
      const tall = await page.evaluate(() => document.documentElement.scrollHeight > innerHeight);
      assert(tall, 'off the stage the page should be taller than the screen (all panels)');
      assert(await page.locator('section[aria-labelledby="training-title"]').isVisible(), 'the Training panel is not back');
      const real = errors.filter((e) => !/net::ERR_ABORTED/.test(e));
      assert(real.length === 0, `console errors:\n  ${real.join('\n  ')}`);
      return details.join('; ');
    },
  },
];
