// Helpers for scripts that drive `wmlab` commands (studies, demo models).
import { spawn } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const root = new URL('../..', import.meta.url).pathname;
const wmlab = join(root, 'bin', 'wmlab.mjs');

/** `--name value` from the script's arguments, or the fallback. */
export function flag(args, name, fallback) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
}

/**
 * Runs `wmlab ...argv` and writes its stdout (the result JSON) to `jsonPath` atomically, so a
 * killed command leaves no result. stderr (progress) goes to `${jsonPath}.log` when the command
 * ends, or streams to this process's stderr with `{ stream: true }`. Resolves with the parsed JSON.
 */
export function runWmlab(argv, jsonPath, { stream = false } = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [wmlab, ...argv], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stream ? process.stderr.write(d) : (stderr += d)));
    p.on('close', (code) => {
      if (!stream) writeFileSync(`${jsonPath}.log`, stderr);
      if (code !== 0) return reject(new Error(`wmlab ${argv[0]} failed (${code})${stream ? '' : `: ${stderr.trim().split('\n').pop()}`}`));
      writeFileSync(`${jsonPath}.tmp`, stdout);
      renameSync(`${jsonPath}.tmp`, jsonPath);
      resolve(JSON.parse(stdout));
    });
  });
}
