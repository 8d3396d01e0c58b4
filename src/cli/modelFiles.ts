import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Model } from '../engine/models/types';
import { ModelFileError, WEIGHTS_FILE, parseModelJson, saveModel } from '../engine/io/modelFile';
import { loadModel } from '../engine/io/loadModel';
import { READ_LIMITS, readUntrustedFile, readUntrustedText } from './readUntrusted';

/** Writes OUT/model/model.json + weights.bin. */
export async function writeModelDir(model: Model, dir: string, metadata?: Record<string, unknown>): Promise<void> {
  const { modelJson, weightData } = await saveModel(model, metadata);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'model.json'), JSON.stringify(modelJson));
  await writeFile(join(dir, WEIGHTS_FILE), new Uint8Array(weightData));
}

/** Reads a model.json and the shard its manifest names (beside it). */
export async function readModelFile(path: string): Promise<Model> {
  const json = parseModelJson(await readUntrustedText(path, 'model.json', READ_LIMITS.json), path);
  const shardName = json.weightsManifest[0].paths[0];
  if (shardName.includes('/') || shardName.includes('\\')) throw new ModelFileError(path, `weight path "${shardName}" must be a file name beside model.json`);
  const shardPath = join(dirname(path), shardName);
  const bytes = await readUntrustedFile(shardPath, 'weight shard (expected beside model.json)', READ_LIMITS.model);
  return loadModel(json, bytes.buffer, path); // a buffer of exactly the file's bytes
}
