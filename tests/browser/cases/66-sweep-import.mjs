/**
 * Sweeps (issue 19): the Runs drawer imports a `wmlab sweep` results.jsonl and shows the table
 * `wmlab sweep report` writes (table.csv), with a CSV download; a bad file gives an error in the
 * panel and the next good file imports again. No training: the text is written here, on the
 * shared app page (the drawer is closed again at the end).
 */
import { readFile } from 'node:fs/promises';
import { assert, openApp, until } from '../harness.mjs';

/** Clicks without Playwright's "stable" check (the worker's backend probe can stall frames on a loaded machine). */
const press = (locator) => locator.dispatchEvent('click');

/** One results.jsonl line as the sweep runner appends it (src/cli/sweep/runner.ts). */
function cellLine(index, replicas, accuracy, noiseAccuracy, noiseBer) {
  const pValue = 2.3283064365386963e-10;
  return JSON.stringify({
    sweep: 'browser sweep',
    id: `replicas=${replicas}-${String(index).repeat(12)}`,
    index,
    varying: { replicas },
    train: { model: 'cnn', epochs: 1, batch: 16, trainLimit: 64, testLimit: 32, method: 'watermas', bits: 32, replicas, seed: 0 },
    report: {
      model: 'cnn', dataset: 'synthetic', method: 'watermas', epochs: 1, steps: 4, seed: 0, testImages: 32, testAccuracy: accuracy,
      seconds: 1.734, status: 'completed', replicas, bits: 32, ber: 0, pValue, detected: true,
    },
    attacks: [{
      file: 'attack-noise-1a2b3c4d.json',
      options: { attack: 'noise', strengths: [0, 1] },
      rows: [
        { attack: 'noise', strength: 0, accuracy, ber: 0, pValue, detected: true },
        { attack: 'noise', strength: 1, accuracy: noiseAccuracy, ber: noiseBer, pValue: 0.3, detected: false },
      ],
    }],
    landscapes: [],
    notApplicable: [],
    seconds: 3.2,
    finishedAt: '2026-01-02T03:04:05.000Z',
  });
}

const GOOD = `${cellLine(0, 0, 0.40625, 0.375, 0.28125)}\n${cellLine(1, 2, 0.4375, 0.40625, 0.125)}\n`;

export default [
  {
    name: 'sweep import: the Runs drawer shows the table of a results.jsonl, downloads its CSV and names a bad file',
    timeout: 120_000,
    async run() {
      const { page, errors } = await openApp();
      const tab = page.getByTestId('runs-tab');
      await tab.waitFor({ timeout: 60_000 });
      if ((await tab.getAttribute('aria-expanded')) !== 'true') await press(tab);
      await page.getByTestId('runs-drawer').waitFor({ state: 'visible', timeout: 10_000 });
      const input = page.getByTestId('sweep-import-input');
      const table = page.getByTestId('sweep-table');
      const error = page.getByTestId('sweep-import-error');
      const upload = (name, text) => input.setInputFiles({ name, mimeType: 'application/jsonl', buffer: Buffer.from(text, 'utf8') });
      const settled = (what) => until(async () => (await table.count()) + (await error.count()) > 0, 60_000, what);

      // A good file: two cells, the CLI's columns in order, readable numbers.
      await upload('results.jsonl', GOOD);
      await settled('the sweep table or an error');
      assert((await error.count()) === 0, `import failed: ${await error.textContent().catch(() => '')}`);
      const caption = (await page.getByTestId('sweep-caption').textContent()) ?? '';
      assert(/browser sweep/.test(caption) && /2 cells/.test(caption), `caption: "${caption}"`);
      const rows = page.getByTestId('sweep-row');
      assert((await rows.count()) === 2, `${await rows.count()} rows, expected 2`);
      assert((await rows.nth(1).getAttribute('data-cell-id')) === 'replicas=2-111111111111', `second row: ${await rows.nth(1).getAttribute('data-cell-id')}`);
      const headers = await table.locator('thead th').allTextContents();
      assert(headers.slice(0, 4).join(',') === 'id,replicas,method,model', `columns: ${headers.join(', ')}`);
      assert(headers.includes('noise@1 accuracy') && headers.includes('noise@1 ber'), `no per-strength columns: ${headers.join(', ')}`);
      const cell = (row, column) => rows.nth(row).locator(`td[data-column="${column}"]`).textContent();
      assert((await cell(1, 'testAccuracy')) === '43.8 %', `testAccuracy: ${await cell(1, 'testAccuracy')}`);
      assert((await cell(0, 'noise@1 accuracy')) === '37.5 %', `noise@1 accuracy: ${await cell(0, 'noise@1 accuracy')}`);
      assert((await cell(0, 'pValue')) === '2.33e-10', `pValue: ${await cell(0, 'pValue')}`);
      assert((await cell(1, 'noise@1 ber')) === '0.125', `noise@1 ber: ${await cell(1, 'noise@1 ber')}`);

      // Download CSV: the table.csv `wmlab sweep report` writes.
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), press(page.getByTestId('sweep-download-csv'))]);
      const csv = await readFile(await download.path(), 'utf8');
      const lines = csv.split('\n');
      assert(download.suggestedFilename() === 'browser-sweep-table.csv', `file name ${download.suggestedFilename()}`);
      assert(lines.length === 4 && lines[3] === '' && lines[0] === headers.join(','), `CSV:\n${csv}`);
      assert(lines[2].startsWith('replicas=2-111111111111,2,watermas,cnn,0,0.4375,0,2.3283064365386963e-10,true,1.734,'), `CSV row: ${lines[2]}`);

      // Bad files: an error in the panel naming the file and the line, no table; the worker lives on.
      const bad = [
        ['model.json', '{"format": "watermas-lab-model",\n "version": 1}\n', /model\.json line 1: not JSON/],
        ['report.json', JSON.stringify({ model: 'cnn', testAccuracy: 0.5 }), /report\.json line 1: not a sweep cell result/],
        ['empty.jsonl', '', /empty\.jsonl: no cell results/],
      ];
      const messages = [];
      for (const [name, text, want] of bad) {
        await upload(name, text);
        await until(async () => want.test((await error.textContent().catch(() => '')) ?? ''), 30_000, `the error for ${name}`);
        assert((await table.count()) === 0, `a table is shown next to the error for ${name}`);
        messages.push((await error.textContent())?.trim());
      }
      await upload('results.jsonl', GOOD);
      await until(async () => (await table.count()) === 1, 30_000, 'the table again after the bad files');
      assert((await error.count()) === 0, 'the error stayed after a good import');
      assert((await rows.count()) === 2, `${await rows.count()} rows after re-import`);

      await press(page.getByRole('button', { name: 'Close the runs drawer' }));
      assert(errors.length === 0, `console errors:\n  ${errors.join('\n  ')}`);
      return `2 cells, ${headers.length} columns, CSV ${csv.length} bytes; errors: ${messages.join(' | ')}`;
    },
  },
];
