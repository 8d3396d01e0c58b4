import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ROOT, assert, getAppUrl, openApp } from '../harness.mjs';

export default [
  {
    name: 'the Verify panel checks a safetensors model + key locally and names the file of a bad upload',
    timeout: 200_000,
    async run() {
      const { page, errors } = await openApp();
      const origin = new URL(getAppUrl()).origin;
      const foreign = [];
      const onRequest = (req) => {
        const url = req.url();
        if (!/^(data|blob):/.test(url) && new URL(url).origin !== origin) foreign.push(url);
      };
      page.context().on('request', onRequest);
      try {
        const good = resolve(ROOT, 'tests/fixtures/good');
        const input = page.getByTestId('verify-input');
        const verdict = page.getByTestId('verify-verdict');
        const expectGood = async (round) => {
          await input.setInputFiles([join(good, 'model.safetensors'), join(good, 'key.json')]);
          await verdict.or(page.getByTestId('verify-error')).waitFor({ timeout: 90_000 }).catch(() => undefined);
          assert((await verdict.count()) === 1, `${round}: no verdict; the panel says "${await page.getByTestId('verify-panel').textContent()}"`);
          assert((await verdict.getAttribute('data-detected')) === 'true', `${round}: verdict "${await verdict.textContent()}"`);
          const ber = await page.getByTestId('verify-ber').getAttribute('data-ber');
          assert(Number(ber) === 0, `${round}: BER ${ber}, expected 0`);
          const sha = (await page.getByTestId('verify-sha256').textContent())?.trim();
          const want = createHash('sha256').update(await readFile(join(good, 'model.safetensors'))).digest('hex');
          assert(sha === want, `${round}: SHA-256 ${sha}, expected ${want} (sha256sum of model.safetensors)`);
          // the fixture key is version 1: the card says it is forgeable evidence
          const commitment = await page.getByTestId('verify-commitment').textContent();
          assert(/Uncommitted key \(version 1\).*forgeable/.test(commitment ?? ''), `${round}: commitment line "${commitment}"`);
          return sha;
        };
        const sha = await expectGood('first good pair');
        const privacy = await page.getByTestId('verify-privacy').textContent();
        assert(/never uploaded/.test(privacy ?? ''), `privacy note: "${privacy}"`);
        // A bad model: the error card names the file and the problem; the worker stays alive.
        await input.setInputFiles([resolve(ROOT, 'tests/fixtures/bad/st-nan-weight.safetensors'), join(good, 'key.json')]);
        const card = page.getByTestId('verify-error');
        await card.waitFor({ timeout: 60_000 });
        const text = await card.textContent();
        assert(/st-nan-weight\.safetensors/.test(text ?? '') && /holds NaN at flat index 5/.test(text ?? ''), `error card: "${text}"`);
        assert((await verdict.count()) === 0, 'a verdict is shown next to the error card');
        await expectGood('good pair after the bad file');
        // The three verdicts differ in words, icon and colour: the good key, the key with one bit
        // flipped (23 of 24 match: p 1.5e-6, over the 1e-6 threshold but far below 0.01) and with
        // half its bits flipped (what an unrelated model gives).
        const key = JSON.parse(await readFile(join(good, 'key.json'), 'utf8'));
        const flip = (bits, n) => [...bits].map((b, i) => (i < n ? String(1 - Number(b)) : b)).join('');
        const looks = {};
        const look = async (kind) => {
          await verdict.waitFor({ timeout: 60_000 });
          const got = await verdict.getAttribute('data-verdict');
          assert(got === kind, `expected a ${kind} verdict, got ${got}: "${await verdict.textContent()}"`);
          looks[kind] = await verdict.evaluate((el) => {
            const card = el.closest('[data-testid="verify-result"]');
            const style = (e) => globalThis.getComputedStyle(e);
            return { text: el.textContent.trim(), color: style(el).color, card: card ? style(card).backgroundColor : '' };
          });
        };
        await look('detected');
        const dir = await mkdtemp(join(tmpdir(), 'wm-verdict-'));
        for (const [kind, n] of [['inconclusive', 1], ['not-detected', key.payload.bits.length / 2]]) {
          const path = join(dir, `key-${kind}.json`);
          await writeFile(path, JSON.stringify({ ...key, payload: { ...key.payload, bits: flip(key.payload.bits, n) } }));
          await input.setInputFiles([join(good, 'model.safetensors'), path]);
          await page.waitForFunction((k) => globalThis.document.querySelector('[data-testid="verify-verdict"]')?.getAttribute('data-verdict') === k, kind, { timeout: 60_000 }).catch(() => undefined);
          await look(kind);
        }
        const kinds = Object.keys(looks);
        for (const prop of ['text', 'color', 'card']) {
          const values = new Set(kinds.map((k) => looks[k][prop]));
          assert(values.size === kinds.length, `verdicts share a ${prop}: ${JSON.stringify(looks)}`);
        }
        await expectGood('good pair after the wrong keys');
        assert(foreign.length === 0, `requests to other hosts:\n  ${foreign.join('\n  ')}`);
        assert(errors.length === 0, `console errors:\n  ${errors.join('\n  ')}`);
        return `detected, BER 0, sha256 ${sha.slice(0, 12)}…; bad file: "${text?.trim()}"; verdicts ${kinds.map((k) => `${looks[k].text} (${looks[k].color})`).join(', ')}`;
      } finally {
        page.context().off('request', onRequest);
      }
    },
  },
];
