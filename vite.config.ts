import { cpSync, createReadStream, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, normalize, resolve, sep } from 'node:path';
import { defineConfig, type Plugin } from 'vitest/config';
import react from '@vitejs/plugin-react';

/**
 * Cross-origin isolation (COOP/COEP) lets the wasm backend use threads
 * (SharedArrayBuffer) in the page and its worker.
 */
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const publicDir = resolve('public');
const datasetsDir = join(publicDir, 'datasets');

/**
 * public/datasets/ can hold ~180 MB of CIFAR-10: the build copies public/ without it, and
 * `vite preview` serves /datasets/ straight from public/datasets/ (the dev server serves
 * public/ as is).
 */
function datasetsOutsideTheBuild(): Plugin {
  return {
    name: 'watermas-lab:datasets-outside-the-build',
    writeBundle(options) {
      const outDir = options.dir ?? 'dist';
      for (const entry of readdirSync(publicDir)) {
        if (entry !== 'datasets') cpSync(join(publicDir, entry), join(outDir, entry), { recursive: true });
      }
    },
    configurePreviewServer(server) {
      server.middlewares.use('/datasets', (req, res, next) => {
        const path = normalize(join(datasetsDir, decodeURIComponent((req.url ?? '/').split('?')[0])));
        if (!path.startsWith(datasetsDir + sep) || !existsSync(path) || !statSync(path).isFile()) return next();
        res.setHeader('Content-Type', 'application/octet-stream');
        res.setHeader('Content-Length', String(statSync(path).size));
        for (const [k, v] of Object.entries(isolationHeaders)) res.setHeader(k, v);
        createReadStream(path).pipe(res);
      });
    },
  };
}

/**
 * Multi-threaded wasm in the built worker (tfjs-backend-wasm 4.22): tfjs hands its pthread
 * workers the threaded glue as `'var WasmBackendModuleThreadedSimd = ' + factory.toString()`.
 * After bundling and minification that function refers to names of its enclosing scope
 * (`_scriptDir`, mangled to e.g. `e`), so every pthread worker died with "e is not defined"
 * and tfjs fell back to one thread. This hands them the package's original, self-contained
 * glue file instead (54 kB, imported as text). Fails the build if tfjs changes that code.
 */
function wasmThreadsGlue(): Plugin {
  const target = /`var WasmBackendModuleThreadedSimd = `\s*\+\s*wasmFactoryThreadedSimd\.toString\(\)/;
  return {
    name: 'watermas-lab:wasm-threads-glue',
    apply: 'build',
    transform(code, id) {
      if (!id.replace(/\\/g, '/').endsWith('@tensorflow/tfjs-backend-wasm/dist/backend_wasm.js')) return null;
      if (!target.test(code)) this.error('tfjs-backend-wasm: the threaded glue hand-off changed; revisit wasmThreadsGlue in vite.config.ts');
      return (
        "import __wmlabThreadedGlue from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js?raw';\n" +
        code.replace(target, '__wmlabThreadedGlue')
      );
    },
  };
}

/**
 * index.html carries a strict Content-Security-Policy (no third-party connections). The dev
 * server's HMR needs an inline react-refresh preamble and a websocket, so `vite dev` drops the
 * tag; builds (and `vite preview`) keep it.
 */
function cspOnlyInBuilds(): Plugin {
  return {
    name: 'watermas-lab:csp-only-in-builds',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace(/\s*<meta http-equiv="Content-Security-Policy"[^>]*>/, ''),
  };
}

/**
 * The same policy as an HTTP header for `vite preview`: a <meta> policy binds the page only,
 * while the engine worker (which fetches data and compiles the tfjs wasm) takes its policy
 * from its own script's response headers.
 */
const cspHeader = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(readFileSync(resolve('index.html'), 'utf8'))?.[1];

export default defineConfig({
  plugins: [react(), datasetsOutsideTheBuild(), cspOnlyInBuilds()],
  worker: { format: 'es', plugins: () => [wasmThreadsGlue()] },
  server: { headers: isolationHeaders, host: '127.0.0.1', port: 5173 },
  preview: { headers: { ...isolationHeaders, ...(cspHeader ? { 'Content-Security-Policy': cspHeader } : {}) }, host: '127.0.0.1', port: 4173 },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096, copyPublicDir: false },
  test: {
    environment: 'node',
    include: ['tests/unit/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // tfjs' global engine state is per process: one file per fork keeps tests independent.
    isolate: true,
  },
});
