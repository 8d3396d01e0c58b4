import type { Model } from '../models/types';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, namedWeights } from './modelFile';
import { toPytorch } from './pytorchLayout';
import { writeSafetensors, type SafetensorsInput } from './safetensors';

/** Tensor naming and layout of an exported file: the lab's (keys address it as is) or PyTorch's (docs/pytorch.md). */
export type ExportLayout = 'lab' | 'pytorch';

/**
 * The lab model as a safetensors file: every trainable parameter, then the BatchNorm state, F32.
 * Layout 'lab' (default): the lab's names and TF layouts (see safetensors.ts), so a lab key
 * verifies it as is. Layout 'pytorch': a PyTorch state_dict (pytorchLayout.ts: renamed,
 * permuted, plus an int64 `num_batches_tracked` = 0 per BatchNorm), which the lab reads back
 * and verifies too. `__metadata__` records the format marker, the layout and the ModelConfig.
 */
export async function exportSafetensors(model: Model, metadata: Record<string, string> = {}, layout: ExportLayout = 'lab'): Promise<Uint8Array> {
  const inputs: SafetensorsInput[] = [];
  for (const [name, t] of namedWeights(model)) {
    const plain = { name, shape: [...t.shape], values: new Float32Array(await t.data()) };
    if (layout === 'lab') inputs.push({ ...plain, dtype: 'F32' });
    else {
      const p = toPytorch(plain);
      inputs.push({ name: p.name, shape: [...p.shape], dtype: 'F32', values: p.values });
      if (name.endsWith('/moving_variance')) {
        inputs.push({ name: `${p.name.slice(0, -'running_var'.length)}num_batches_tracked`, shape: [], dtype: 'I64', values: new BigInt64Array(1) });
      }
    }
  }
  return writeSafetensors(inputs, {
    format: MODEL_FORMAT,
    formatVersion: String(MODEL_FORMAT_VERSION),
    layout,
    config: JSON.stringify(model.config),
    ...metadata,
  });
}
