/* global window, document, navigator, location, getComputedStyle */
/**
 * Lecture mode (issue 9): state in the URL hash, presets, classroom links, Share, themes,
 * explanation cards (KaTeX) and an axe-core accessibility check. One fresh page of its own
 * (no training: every check is about the configured view).
 */
import { createRequire } from 'node:module';
import { assert, cleanups, getAppUrl, newPage, startPreview, until } from '../harness.mjs';

const axeSource = createRequire(import.meta.url)('axe-core').source;

let shared; // { page, errors, close, url }

/** One fresh page for all lecture cases (each reload restarts the worker, so few pages). */
async function lecturePage() {
  if (shared) return shared;
  const url = getAppUrl() ?? (await startPreview());
  const p = await newPage();
  cleanups.push(() => p.close());
  shared = { ...p, url };
  return shared;
}

/** Values of the controls a preset sets (as the form shows them). */
async function controlValues(page) {
  await page.locator('#lr').waitFor({ timeout: 30_000 });
  const ids = ['epochs', 'batch-size', 'lr', 'optimizer', 'train-limit', 'test-limit', 'wm-method', 'wm-replicas', 'wm-sigma', 'wm-lambda'];
  const out = {};
  for (const id of ids) out[id] = (await page.locator(`#${id}`).count()) ? await page.locator(`#${id}`).inputValue() : null;
  out.theme = await page.evaluate(() => document.documentElement.dataset.theme);
  return out;
}

const hashOf = (page) => page.evaluate(() => location.hash);

/**
 * Clicks without Playwright's "stable" check: on a loaded machine the SwiftShader WebGPU probe of
 * the worker can stall animation frames for many seconds, which that check waits for.
 */
const press = (locator) => locator.dispatchEvent('click');

/** Console errors, less the data requests that our own reloads abort. */
const realErrors = (errors) => errors.filter((e) => !/request failed: .*net::ERR_ABORTED/.test(e));

/** Runs axe-core on the page; returns the serious and critical violations as text lines. */
async function axeSerious(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(axeSource);
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | ')}${v.nodes.length > 4 ? ` (+${v.nodes.length - 4})` : ''}`);
}

export default [
  {
    name: 'lecture: a preset URL reproduces the same controls after reload; edits and bad values too',
    timeout: 90_000,
    async run() {
      const { page, errors, url } = await lecturePage();
      await page.goto(`${url}/#preset=attack-the-mark`, { waitUntil: 'load' });
      const first = await controlValues(page);
      const expected = { epochs: '2', 'batch-size': '64', lr: '0.05', 'train-limit': '2000', 'test-limit': '500', 'wm-method': 'watermas', 'wm-replicas': '4', 'wm-sigma': '0.01', theme: 'projector' };
      for (const [k, v] of Object.entries(expected)) assert(first[k] === v, `preset: ${k} = ${first[k]}, expected ${v}`);
      assert((await page.getByTestId('preset-card').getAttribute('data-preset')) === 'attack-the-mark', 'no preset card for attack-the-mark');
      assert((await page.locator('#preset-select').inputValue()) === 'attack-the-mark', 'the preset picker does not show the preset');
      // The app writes the whole view into the hash; a reload reproduces the same controls.
      await until(async () => (await hashOf(page)).includes('R=4'), 10_000, 'the hash to be written');
      const written = await hashOf(page);
      assert(written.startsWith('#v=1&preset=attack-the-mark&'), `hash: ${written}`);
      await page.reload({ waitUntil: 'load' });
      const again = await controlValues(page);
      assert(JSON.stringify(again) === JSON.stringify(first), `after reload ${JSON.stringify(again)} != ${JSON.stringify(first)}`);
      // An edit goes into the hash (debounced replaceState) and survives a reload.
      await page.locator('#lr').fill('0.02');
      await until(async () => (await hashOf(page)).includes('lr=0.02'), 10_000, 'lr=0.02 in the hash');
      await page.reload({ waitUntil: 'load' });
      assert((await controlValues(page)).lr === '0.02', 'the edited learning rate did not survive the reload');
      // Bad values (a hashchange, no reload): defaults + a visible notice, no crash.
      await page.goto(`${url}/#v=1&lr=banana&arch=alexnet&theme=neon&R=4`, { waitUntil: 'load' });
      const notice = page.getByTestId('link-notice');
      await notice.waitFor({ timeout: 10_000 });
      const text = await notice.textContent();
      for (const w of ['learning rate "banana"', 'model "alexnet"', 'theme "neon"']) assert(text.includes(w), `notice lacks ${w}: ${text}`);
      const bad = await controlValues(page);
      assert(bad.lr === '0.05' && bad.theme === 'light', `bad link: lr ${bad.lr}, theme ${bad.theme}`);
      // Choosing a preset in the picker brings its panel into view (the page is long).
      const verifyPanel = page.locator("section[aria-labelledby='verify-title']");
      await page.evaluate(() => window.scrollTo(0, 0));
      const before = await verifyPanel.boundingBox();
      assert(before && before.y > page.viewportSize().height, `the Verify panel is already in view at the top of the page (y ${before?.y})`);
      await page.locator('#preset-select').selectOption('check-a-model');
      await until(async () => {
        const b = await verifyPanel.boundingBox();
        // its top on screen (the last panel may not reach the top: the page ends below it)
        return b !== null && b.y >= -1 && b.y + Math.min(b.height, 200) <= page.viewportSize().height;
      }, 5_000, 'the Verify panel scrolled into view');
      assert(realErrors(errors).length === 0, `console errors:\n  ${realErrors(errors).join('\n  ')}`);
      return `hash ${written.length} chars; values ${JSON.stringify(first)}`;
    },
  },
  {
    name: 'lecture: a classroom link hides the chosen controls; Share copies the link',
    timeout: 90_000,
    async run() {
      const { page, errors, url } = await lecturePage();
      await page.goto(`${url}/#preset=sharpness-tradeoff`, { waitUntil: 'load' });
      await page.reload({ waitUntil: 'load' });
      await page.locator('#lr').waitFor({ timeout: 30_000 });
      await press(page.getByTestId('classroom-button'));
      const dialog = page.getByTestId('classroom-dialog');
      await dialog.waitFor({ state: 'visible', timeout: 5_000 });
      for (const name of ['Learning rate', 'Batch size', 'Optimizer', 'Noise σ']) await press(dialog.getByRole('checkbox', { name: `Hide ${name}`, exact: true }));
      const link = await dialog.getByTestId('classroom-link').inputValue();
      assert(link.includes('hide=batch-size,lr,optimizer,wm-sigma'), `link: ${link}`);
      await press(dialog.getByRole('button', { name: 'Close' }));
      await page.goto(link, { waitUntil: 'load' });
      await page.reload({ waitUntil: 'load' });
      await page.locator('#epochs').waitFor({ timeout: 30_000 });
      // live-lr (the session's "Step size η") sets the learning rate too, so it hides with it
      for (const id of ['lr', 'live-lr', 'batch-size', 'optimizer', 'wm-sigma']) assert((await page.locator(`#${id}`).count()) === 0, `#${id} is still shown`);
      for (const id of ['epochs', 'wm-replicas', 'wm-lambda']) assert(await page.locator(`#${id}`).isVisible(), `#${id} should stay visible`);
      const note = await page.getByTestId('hidden-note').textContent();
      assert(note.includes('hides 4 controls'), `hidden note: ${note}`);
      // Share: copies the current URL (granted clipboard), or shows it in a field when copying fails.
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
      await press(page.getByTestId('share-button'));
      await page.getByText('Link copied').first().waitFor({ timeout: 5_000 });
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      assert(copied.includes('#v=1&preset=sharpness-tradeoff&') && copied.includes('hide=batch-size,lr,optimizer,wm-sigma'), `copied: ${copied}`);
      await page.evaluate(() => {
        navigator.clipboard.writeText = () => Promise.reject(new Error('denied'));
      });
      await press(page.getByTestId('share-button'));
      const fallback = page.getByTestId('share-fallback').locator('input');
      await fallback.waitFor({ timeout: 5_000 });
      assert((await fallback.inputValue()) === copied, 'the fallback field does not show the link');
      // "Show them" brings the controls back.
      await press(page.getByTestId('hidden-note').getByRole('button', { name: 'Show them' }));
      await page.locator('#lr').waitFor({ timeout: 5_000 });
      assert((await page.locator('#live-lr').count()) === 1, 'the Step size η slider did not come back with the learning rate');
      assert(realErrors(errors).length === 0, `console errors:\n  ${realErrors(errors).join('\n  ')}`);
      return link.slice(link.indexOf('#'), link.indexOf('#') + 60) + '…';
    },
  },
  {
    name: 'lecture: the theme switch sets data-theme; explanation cards render KaTeX; axe finds no serious violations',
    timeout: 120_000,
    async run() {
      const { page, errors, url } = await lecturePage();
      // Same document (a hashchange, no reload): the worker started by the last load keeps going.
      await page.goto(`${url}/#v=1`, { waitUntil: 'load' });
      await until(async () => (await page.evaluate(() => document.documentElement.dataset.theme)) === 'light', 10_000, 'the light theme');
      // Preferably a complete page (backend, data, sample grid); a machine too loaded to start the
      // SwiftShader backend within the wait still gets the check of everything else.
      const ready = await until(async () => (await page.getByTestId('image-grid').count()) > 0, 60_000, 'the sample grid').then(() => true, () => false);
      for (const d of await page.locator('details.explain-card').all()) await press(d.locator('summary'));
      const cards = await page.locator('details.explain-card[open]').count();
      assert(cards >= 4, `expected 4 explanation cards, got ${cards}`);
      const formulas = await page.locator('details.explain-card .katex').count();
      assert(formulas >= 4, `expected KaTeX formulas in the cards, got ${formulas}`);
      const mathml = await page.locator('details.explain-card math').count();
      assert(mathml >= 4, `expected MathML for screen readers, got ${mathml}`);
      // Vocabulary tooltip: keyboard focus shows it, it describes the word.
      const term = page.locator('abbr[data-term="ber"]').first();
      await term.focus();
      const tipId = await term.getAttribute('aria-describedby');
      assert(await page.locator(`[id="${tipId}"]`).isVisible(), 'the BER tooltip does not show on focus');

      assert((await page.evaluate(() => document.documentElement.dataset.theme)) === 'light', 'default theme is not light');
      // Every badge state (ok, pending, warn; with its details), whatever state the page reached:
      // copies with the app's classes beside the real badges, checked with them in each theme.
      await page.evaluate(() => {
        const box = document.createElement('div');
        box.id = 'badge-states';
        box.className = 'status-item';
        box.innerHTML = [
          '<span class="badge badge-ok">wasm<span class="badge-detail">151 ms/step</span><span class="badge-detail">· checking webgpu</span></span>',
          '<span class="badge badge-pending">starting…</span>',
          '<span class="badge badge-warn">synthetic<span class="badge-detail">embedded default</span></span>',
          '<span class="badge badge-ok">CIFAR-10<span class="badge-detail">served with the lab</span></span>',
        ].join(' ');
        document.querySelector('.header-status')?.append(box);
      });
      const light = await axeSerious(page);
      await page.locator('#theme-select').selectOption('dark');
      assert((await page.evaluate(() => document.documentElement.dataset.theme)) === 'dark', 'data-theme is not dark');
      const dark = await axeSerious(page);
      await page.locator('#theme-select').selectOption('projector');
      assert((await page.evaluate(() => document.documentElement.dataset.theme)) === 'projector', 'data-theme is not projector');
      const rootFont = await page.evaluate(() => getComputedStyle(document.documentElement).fontSize);
      assert(rootFont === '20px', `projector font size ${rootFont}`);
      await until(async () => (await hashOf(page)).includes('theme=projector'), 10_000, 'theme=projector in the hash');
      const projector = await axeSerious(page);
      await page.evaluate(() => document.getElementById('badge-states')?.remove());
      const problems = [...light.map((v) => `light: ${v}`), ...dark.map((v) => `dark: ${v}`), ...projector.map((v) => `projector: ${v}`)];
      assert(problems.length === 0, `axe serious/critical violations:\n  ${problems.join('\n  ')}`);
      assert(realErrors(errors).length === 0, `console errors:\n  ${realErrors(errors).join('\n  ')}`);
      return `${cards} cards, ${formulas} formulas; axe clean in light, dark and projector, badges in every state${ready ? '' : ' (backend had not started: checked without the sample grid)'}`;
    },
  },
];
