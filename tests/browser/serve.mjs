// Shared by the browser tests (harness.mjs) and the browser benchmark (bench/browser-bench.mjs):
// build some HTML entry points of the project into a temporary folder and serve them the way
// the app is served (vite preview: COOP/COEP for multi-threaded wasm).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './chromium.mjs';

/**
 * Builds `inputs` ({ name: absolute .html path }) from `root` into a temporary folder (dist/ is
 * untouched) and serves it on a free localhost port. Returns the base URL and a `close()` that
 * stops the server and removes the folder.
 */
export async function buildAndServe(root, inputs, tmpPrefix) {
  const vite = await import('vite');
  const outDir = await mkdtemp(join(tmpdir(), tmpPrefix));
  const removeDir = () => rm(outDir, { recursive: true, force: true });
  try {
    await vite.build({ root, logLevel: 'warn', publicDir: false, build: { outDir, emptyOutDir: true, rollupOptions: { input: inputs } } });
    const port = await freePort();
    const server = await vite.preview({ root, logLevel: 'warn', build: { outDir }, preview: { port, strictPort: true, host: '127.0.0.1', open: false } });
    const close = async () => {
      await new Promise((r) => server.httpServer.close(() => r()));
      await removeDir();
    };
    return { url: `http://127.0.0.1:${port}`, close };
  } catch (e) {
    await removeDir();
    throw e;
  }
}
