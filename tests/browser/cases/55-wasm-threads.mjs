import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { assert, newPage, ROOT, startPreview } from '../harness.mjs';

/**
 * Multi-threaded wasm in the BUILT engine worker (see wasmThreadsGlue in vite.config.ts): a
 * fresh copy of dist's engine worker is started on a cross-origin-isolated page of the preview
 * server and asked, over comlink's wire protocol (APPLY 'init'), for the wasm backend; its
 * BackendInfo must report more than one XNNPACK thread. No app page is involved, so the app's
 * own worker (and its default backend) does not load the machine.
 */
export default [
  {
    name: 'wasm threads: the built engine worker runs wasm with more than one thread',
    timeout: 180_000,
    async run() {
      const worker = readdirSync(join(ROOT, 'dist/assets')).find((f) => /^engine\.worker-.*\.js$/.test(f));
      assert(worker, 'dist/assets has no engine.worker-*.js (build first)');
      const url = await startPreview();
      const p = await newPage();
      try {
        // Any document of the preview server carries COOP/COEP; the worker script itself is one.
        await p.page.goto(`${url}/assets/${worker}`, { waitUntil: 'load' });
        const result = await p.page.evaluate(async (src) => {
          if (!globalThis.crossOriginIsolated) return { error: 'page is not cross-origin isolated' };
          const w = new globalThis.Worker(src, { type: 'module' });
          const reply = await new Promise((resolve) => {
            const timer = setTimeout(() => resolve({ error: 'no reply from the worker within 150 s' }), 150_000);
            w.addEventListener('error', (e) => resolve({ error: `worker error: ${e.message}` }));
            w.addEventListener('message', (e) => {
              if (e.data?.id !== 'wasm-threads') return;
              clearTimeout(timer);
              resolve(e.data);
            });
            w.postMessage({ id: 'wasm-threads', type: 'APPLY', path: ['init'], argumentList: [{ type: 'RAW', value: 'wasm' }] });
          });
          w.terminate();
          return { reply, cores: globalThis.navigator.hardwareConcurrency };
        }, `/assets/${worker}`);
        assert(!result.error, result.error);
        const { reply, cores } = result;
        assert(reply.type === 'RAW', `init('wasm') failed in the worker: ${JSON.stringify(reply).slice(0, 500)}`);
        const info = reply.value;
        assert(info.name === 'wasm', `the worker chose ${info.name}, not wasm: ${JSON.stringify(info.tried)}`);
        assert(info.wasm, `BackendInfo has no wasm field: ${JSON.stringify(info)}`);
        assert(info.wasm.threads > 1, `wasm runs ${info.wasm.threads} thread(s) (hardwareConcurrency ${cores}); errors: ${p.errors.join(' | ')}`);
        // the threaded build's heap is shared: the lab's single-threaded SIMD kernels stay off there
        assert(info.wasm.labKernels === false, `the lab's SIMD kernels report ${info.wasm.labKernels} on the threaded build`);
        const pthreadErrors = p.errors.filter((e) => /is not defined|pthread/i.test(e));
        assert(pthreadErrors.length === 0, `pthread worker errors:\n  ${pthreadErrors.join('\n  ')}`);
        return `wasm: ${info.wasm.threads} threads, SIMD ${info.wasm.simd}, lab kernels ${info.wasm.labKernels}, ${info.msPerStep?.toFixed(0)} ms/step (${info.probe}), ${cores} cores`;
      } finally {
        await p.close();
      }
    },
  },
];
