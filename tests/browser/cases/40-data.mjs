import { assert, openApp } from '../harness.mjs';

export default [
  {
    name: 'a file that is not the CIFAR-10 tarball is refused with a clear message',
    timeout: 60_000,
    async run() {
      const { page, errors } = await openApp();
      await page.getByLabel('CIFAR-10 tarball').setInputFiles({ name: 'not-cifar.tar.gz', mimeType: 'application/gzip', buffer: Buffer.from('definitely not gzip') });
      const msg = page.getByTestId('import-message');
      await msg.waitFor({ timeout: 30_000 });
      const text = await msg.textContent();
      assert(/Import failed: .*not a gzip file/.test(text ?? ''), `unexpected message: "${text}"`);
      assert((await page.getByTestId('dataset-source').getAttribute('data-dataset')) !== '', 'the data set was lost');
      assert(errors.length === 0, `console errors:\n  ${errors.join('\n  ')}`);
      return text;
    },
  },
];
