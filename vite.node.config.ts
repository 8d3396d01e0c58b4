import { defineConfig } from 'vite';

/**
 * Node bundle for the `wmlab` CLI and the benchmarks. tfjs ships ES modules without
 * file extensions (not loadable by Node's ESM loader) and CommonJS builds that train
 * ~3x slower on cpu, so we bundle the ES-module builds with the engine into dist-node/.
 */
export default defineConfig({
  // public/ holds the web app's static files (and datasets): not part of the Node bundle
  publicDir: false,
  build: {
    ssr: true,
    target: 'node20',
    outDir: 'dist-node',
    emptyOutDir: true,
    sourcemap: true,
    minify: false,
    rollupOptions: {
      input: { wmlab: 'src/cli/wmlab.ts', bench: 'bench/node-bench.ts' },
      output: {
        format: 'es',
        entryFileNames: '[name].js',
        // The wasm backend's Emscripten glue expects CommonJS's __dirname when it runs in Node.
        banner: [
          "import { fileURLToPath as __wmlabFileURLToPath } from 'node:url';",
          "import { dirname as __wmlabDirname } from 'node:path';",
          'const __filename = __wmlabFileURLToPath(import.meta.url);',
          'const __dirname = __wmlabDirname(__filename);',
        ].join('\n'),
      },
    },
  },
  ssr: {
    // bundle everything except the native Dawn binding (loaded at run time when present)
    noExternal: true,
    external: ['webgpu'],
  },
});
