import { checkKeyAgainstModel, parseKeyFile, type Key } from '../engine/watermark';
import type { Model } from '../engine/models/types';
import { readModelFile } from './modelFiles';
import { READ_LIMITS, readUntrustedText } from './readUntrusted';

/** Reads a model and its key and checks that they belong together (architecture fingerprint). */
export async function readModelAndKey(modelPath: string, keyPath: string): Promise<{ model: Model; key: Key }> {
  const keyText = await readUntrustedText(keyPath, 'key file', READ_LIMITS.json);
  const key = parseKeyFile(keyText);
  const model = await readModelFile(modelPath);
  try {
    checkKeyAgainstModel(key, model);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, key };
}
