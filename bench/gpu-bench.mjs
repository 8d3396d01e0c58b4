#!/usr/bin/env node
/**
 * `npm run bench:gpu` (issue 16): the browser bench on whatever GPU adapter Chromium finds,
 * sized for a real GPU: WebGPU and WebGL, ResNet-20 at batch 128, 5 timed steps per row
 * (ms/step and img/s, the adapter or renderer named in `backends[].device`). One JSON document
 * on stdout, as bench/browser-bench.mjs prints it.
 *
 * Every BENCH_BROWSER_* knob of browser-bench.mjs still applies and overrides these defaults.
 * CHROMIUM_EXTRA_ARGS defaults to --ignore-gpu-blocklist (a GPU Chromium would not trust is
 * still used). A headless Linux machine whose GPU Chromium does not pick up may need ANGLE on
 * Vulkan: CHROMIUM_EXTRA_ARGS="--ignore-gpu-blocklist --use-angle=vulkan --enable-features=Vulkan"
 * (on this project's GPU-less machine those flags take WebGL away: no Vulkan ICD for ANGLE).
 * Without a GPU Chromium falls back to SwiftShader, whose timings say nothing about GPUs (the
 * backend row's device then names swiftshader).
 */
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const defaults = {
  BENCH_BROWSER_BACKENDS: 'webgpu,webgl',
  BENCH_BROWSER_MODELS: 'resnet20',
  BENCH_BROWSER_BATCHES: '128',
  BENCH_BROWSER_STEPS: '5',
  CHROMIUM_EXTRA_ARGS: '--ignore-gpu-blocklist',
};
const env = { ...defaults, ...process.env };
const script = resolve(dirname(fileURLToPath(import.meta.url)), 'browser-bench.mjs');
const r = spawnSync(process.execPath, [script], { env, stdio: 'inherit' });
process.exit(r.status ?? 1);
