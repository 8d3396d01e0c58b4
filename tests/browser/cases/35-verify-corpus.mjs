// The Verify panel in the browser worker: the whole malformed corpus (tests/fixtures/bad) through
// the file input, each case its own error card naming the file, and "Stress it" on an uploaded
// runnable model.
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { ROOT, assert, openApp, screenshotPath, until } from '../harness.mjs';

const BAD = resolve(ROOT, 'tests/fixtures/bad');
const GOOD = resolve(ROOT, 'tests/fixtures/good');

/** The files of one corpus entry, as badCorpus.test.ts uploads them (see the note in expected.json). */
async function uploadFor(rel) {
  const path = join(BAD, rel);
  if ((await stat(path)).isDirectory()) return [...(await readdir(path)).sort().map((f) => join(path, f)), join(GOOD, 'key.json')];
  if (basename(rel).startsWith('key-')) return [join(GOOD, 'model.safetensors'), path];
  return [path, join(GOOD, 'key.json')];
}

/**
 * Uploads `files` (paths or { name, mimeType, buffer }) through the Verify panel's input and waits
 * until that check (the panel's next run number) has finished; returns the time it took.
 */
async function upload(page, files, timeoutMs) {
  const status = page.getByTestId('verify-files');
  const before = (await status.count()) ? Number(await status.getAttribute('data-run')) : 0;
  const t0 = Date.now();
  await page.getByTestId('verify-input').setInputFiles(files);
  await until(
    async () => (await status.count()) === 1 && Number(await status.getAttribute('data-run')) === before + 1 && (await status.getAttribute('data-busy')) === 'false',
    timeoutMs,
    `the check of ${files.map((f) => (typeof f === 'string' ? basename(f) : f.name)).join(', ')} (hang?)`,
  );
  return Date.now() - t0;
}

// ---- a runnable lab model + key, written here (the fixtures' good model is a bare tensor file) ----
/** cnn with width 2, hidden 4, no BatchNorm, 32x32x3 -> 10 classes: the lab's parameter names and shapes, in order. */
const CNN_TENSORS = [
  ['conv1/kernel', [3, 3, 3, 2]], ['conv1/bias', [2]], ['conv2/kernel', [3, 3, 2, 2]], ['conv2/bias', [2]],
  ['conv3/kernel', [3, 3, 2, 4]], ['conv3/bias', [4]], ['conv4/kernel', [3, 3, 4, 4]], ['conv4/bias', [4]],
  ['fc1/kernel', [8 * 8 * 4, 4]], ['fc1/bias', [4]], ['head/dense/kernel', [4, 10]], ['head/dense/bias', [10]],
].map(([name, shape]) => ({ name, shape }));
const size = (shape) => shape.reduce((a, b) => a * b, 1);

/** model.json + weights.bin (the lab's format) and a WaterMAS key.json marking 32 fc1 weights with their signs. */
export function runnableUpload() {
  const values = CNN_TENSORS.map((t, k) => Float32Array.from({ length: size(t.shape) }, (_, i) => ((((i * 37 + k * 11) % 19) - 9 + 0.5) / 10) * 0.5));
  const weights = new Float32Array(values.reduce((s, v) => s + v.length, 0));
  values.reduce((o, v) => (weights.set(v, o), o + v.length), 0);
  const modelJson = {
    format: 'watermas-lab',
    generatedBy: '35-verify-corpus.mjs',
    modelTopology: { format: 'watermas-lab', version: 1, arch: 'cnn', numClasses: 10, inputShape: [32, 32, 3], options: { width: 2, hidden: 4, batchNorm: false } },
    weightsManifest: [{ paths: ['weights.bin'], weights: CNN_TENSORS.map((t) => ({ ...t, dtype: 'float32' })) }],
  };
  const fc1 = CNN_TENSORS.findIndex((t) => t.name === 'fc1/kernel');
  const indices = Array.from({ length: 32 }, (_, i) => i * 7);
  const fingerprint = createHash('sha256').update(CNN_TENSORS.map((t) => `${t.name}:${t.shape.join('x')}`).join('\n')).digest('hex');
  const key = {
    format: 'watermas-lab-key',
    version: 1,
    method: 'watermas',
    architecture: { arch: 'cnn', fingerprint, tensors: CNN_TENSORS },
    positions: [{ tensor: 'fc1/kernel', indices }],
    payload: { kind: 'bits', bits: indices.map((i) => (values[fc1][i] > 0 ? '1' : '0')).join('') },
    codec: { strength: 0.5 },
    objective: { replicas: 0, sigma: 0, lambda: 0, mode: 'gaussian', rho: 0, margin: null },
    createdAt: '2026-11-23T00:00:00.000Z',
  };
  return [
    { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(modelJson)) },
    { name: 'weights.bin', mimeType: 'application/octet-stream', buffer: Buffer.from(weights.buffer) },
    { name: 'key.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(key)) },
  ];
}

export default [
  {
    name: 'verify corpus: every malformed upload gives its own error in the browser worker, then a good pair still verifies',
    timeout: 400_000,
    async run() {
      const { page, errors } = await openApp();
      const manifest = JSON.parse(await readFile(join(BAD, 'expected.json'), 'utf8'));
      const errorsBefore = errors.length;
      // Checks queue behind the backend start-up (seconds to minutes on SwiftShader): one good check first.
      const warmMs = await upload(page, [join(GOOD, 'model.safetensors'), join(GOOD, 'key.json')], 280_000);
      const original = await page.evaluate(() => globalThis.location.href);
      // The corpus is made for small limits (expected.json): the panel takes them from the URL.
      const l = manifest.limits;
      await page.evaluate((q) => globalThis.history.replaceState(null, '', q), `?verifyLimits=maxTotalBytes:${l.maxTotalBytes},maxJsonBytes:${l.maxJsonBytes},maxJsonDepth:${l.maxJsonDepth}`);
      const failures = [];
      let slowest = { ms: 0, rel: '' };
      const t0 = Date.now();
      try {
        for (const [rel, expected] of Object.entries(manifest.cases)) {
          const files = await uploadFor(rel);
          let ms;
          try {
            ms = await upload(page, files, 15_000);
          } catch (e) {
            failures.push(`${rel}: ${e.message}`);
            continue;
          }
          if (ms > slowest.ms) slowest = { ms, rel };
          const card = page.getByTestId('verify-error');
          if ((await card.count()) !== 1) {
            failures.push(`${rel}: no error card; the panel says "${(await page.getByTestId('verify-panel').textContent())?.slice(0, 200)}"`);
            continue;
          }
          const text = (await card.textContent()) ?? '';
          if (!text.includes(expected)) failures.push(`${rel}: expected "${expected}", got "${text}"`);
          else if (!files.some((f) => text.includes(basename(f)))) failures.push(`${rel}: the message names none of the files: "${text}"`);
        }
      } finally {
        await page.evaluate((u) => globalThis.history.replaceState(null, '', u), original);
      }
      const cases = Object.keys(manifest.cases).length;
      assert(failures.length === 0, `${failures.length} of ${cases} corpus cases failed:\n  ${failures.join('\n  ')}`);
      const corpusSeconds = (Date.now() - t0) / 1000;
      // The worker is alive: the good pair verifies after the whole corpus.
      await upload(page, [join(GOOD, 'model.safetensors'), join(GOOD, 'key.json')], 30_000);
      const verdict = page.getByTestId('verify-verdict');
      assert((await verdict.getAttribute('data-detected')) === 'true', `good pair after the corpus: "${await page.getByTestId('verify-panel').textContent()}"`);
      assert(Number(await page.getByTestId('verify-ber').getAttribute('data-ber')) === 0, 'good pair: BER is not 0');
      // A bare tensor file cannot be stressed: the button is disabled and says why.
      const stress = page.getByTestId('stress-run');
      assert(await stress.isDisabled(), 'Stress it is enabled for a bare tensor file');
      const why = (await stress.getAttribute('title')) ?? '';
      assert(/model\.safetensors cannot be run/.test(why), `Stress it tooltip: "${why}"`);
      const newErrors = errors.slice(errorsBefore);
      assert(newErrors.length === 0, `page errors during the corpus:\n  ${newErrors.join('\n  ')}`);
      return `${cases} cases in ${corpusSeconds.toFixed(1)} s (slowest ${slowest.rel}, ${(slowest.ms / 1000).toFixed(1)} s; first check ${(warmMs / 1000).toFixed(1)} s), good pair verifies after them`;
    },
  },
  {
    name: 'verify stress: "Stress it" sweeps the uploaded runnable model with its key, BER 0 at strength 0',
    timeout: 420_000,
    async run() {
      const { page, errors } = await openApp();
      const errorsBefore = errors.length;
      // Checks queue behind the backend start-up when this case runs alone on a fresh page.
      await upload(page, runnableUpload(), 180_000);
      const verdict = page.getByTestId('verify-verdict');
      assert((await verdict.count()) === 1, `no verdict: "${(await page.getByTestId('verify-panel').textContent())?.slice(0, 300)}"`);
      assert((await verdict.getAttribute('data-detected')) === 'true', `verdict "${await verdict.textContent()}"`);
      const run = page.getByTestId('stress-run');
      // Enabled once the worker holds the rebuilt model (and the page knows the data set).
      await until(() => run.isEnabled(), 30_000, `Stress it to enable (title "${await run.getAttribute('title')}")`);
      await page.getByTestId('stress-settings-toggle').click();
      for (const id of ['prune-global', 'quantize']) await page.getByTestId(`stress-attack-${id}`).uncheck();
      await page.getByTestId('stress-strengths-noise').fill('0, 10');
      await page.getByTestId('stress-test-images').fill('16');
      const t0 = Date.now();
      await run.click();
      const block = page.getByTestId('stress');
      await until(async () => ['done', 'error', 'cancelled'].includes(await block.getAttribute('data-state')), 180_000, 'the stress run to finish');
      const state = await block.getAttribute('data-state');
      const err = page.getByTestId('stress-error');
      assert(state === 'done', `stress run ${state}: ${(await err.count()) ? await err.textContent() : ''}`);
      const rows = page.getByTestId('stress-table').locator('tbody tr');
      assert((await rows.count()) === 2, `table has ${await rows.count()} rows, expected 2`);
      const first = rows.first();
      assert((await first.getAttribute('data-attack')) === 'noise' && Number(await first.getAttribute('data-strength')) === 0, 'first row is not noise at 0');
      assert(Number(await first.getAttribute('data-error')) === 0, `BER at strength 0 is ${await first.getAttribute('data-error')}, expected 0`);
      const chartPoints = Number(await page.getByTestId('stress-charts').getAttribute('data-points'));
      assert(chartPoints === 2, `chart has ${chartPoints} points, expected 2`);
      const ber10 = Number(await rows.nth(1).getAttribute('data-error'));
      const progress = (await page.getByTestId('stress-progress').textContent())?.trim();
      if (screenshotPath) await page.getByTestId('verify-result').screenshot({ path: resolve(ROOT, screenshotPath.replace(/(\.png)?$/, '-stress.png')) });
      const newErrors = errors.slice(errorsBefore);
      assert(newErrors.length === 0, `page errors:\n  ${newErrors.join('\n  ')}`);
      return `2 points in ${((Date.now() - t0) / 1000).toFixed(1)} s; BER 0 at Ω=0, ${ber10.toFixed(3)} at Ω=10; "${progress}"`;
    },
  },
];
