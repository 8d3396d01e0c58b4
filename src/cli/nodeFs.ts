import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import type { DataFs } from '../engine/data/sources';

/** The engine's file-system interface over Node's fs. */
export const nodeDataFs: DataFs = {
  exists: async (path) => existsSync(path),
  size: async (path) => (await stat(path)).size,
  read: async (path) => new Uint8Array(await readFile(path)),
  write: async (path, bytes) => writeFile(path, bytes),
  mkdirp: async (path) => {
    await mkdir(path, { recursive: true });
  },
};
