import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
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
        assert(foreign.length === 0, `requests to other hosts:\n  ${foreign.join('\n  ')}`);
        assert(errors.length === 0, `console errors:\n  ${errors.join('\n  ')}`);
        return `detected, BER 0, sha256 ${sha.slice(0, 12)}…; bad file: "${text?.trim()}"`;
      } finally {
        page.context().off('request', onRequest);
      }
    },
  },
];
