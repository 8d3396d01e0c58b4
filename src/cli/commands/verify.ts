import { readFile } from 'node:fs/promises';
import { parseKeyFile, verifyWatermark, DEFAULT_P_THRESHOLD } from '../../engine/watermark';
import { num, parseOptions, required } from '../args';
import { setupNodeBackend } from '../nodeBackend';
import { readModelFile } from '../modelFiles';

export const VERIFY_USAGE = 'wmlab verify --model OUT/model/model.json --key OUT/key.json [--threshold P]';

/** `wmlab verify`: extracts the mark of a key from a model and judges it. */
export async function verifyCommand(argv: string[]): Promise<Record<string, unknown>> {
  const o = parseOptions(argv, { model: { type: 'string' }, key: { type: 'string' }, threshold: { type: 'string' } });
  const modelPath = required(o.model, 'model');
  const keyPath = required(o.key, 'key');
  const threshold = num(o.threshold, 'threshold', { min: 0, max: 1, default: DEFAULT_P_THRESHOLD });
  const keyText = await readFile(keyPath, 'utf8').catch(() => {
    throw new Error(`${keyPath}: no such key file`);
  });
  const key = parseKeyFile(keyText);
  await setupNodeBackend('cpu', 'eval');
  const model = await readModelFile(modelPath);
  try {
    const r = await verifyWatermark(model, key, { threshold });
    return {
      model: model.config.arch,
      bits: r.n,
      errors: r.errors,
      erasures: r.erasures,
      ber: r.ber,
      pValue: r.pValue,
      log10PValue: r.log10PValue,
      threshold: r.threshold,
      detected: r.detected,
      payload: r.payloadKind,
      ...(r.message !== undefined ? { message: r.message } : {}),
      ...(r.image ? { imageCorrelation: r.image.correlation } : {}),
      perTensor: r.perTensor,
    };
  } finally {
    model.dispose();
  }
}
