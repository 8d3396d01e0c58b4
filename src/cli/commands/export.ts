import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { exportSafetensors } from '../../engine/io/exportSafetensors';
import { oneOf, parseOptions, RawText, required, UsageError } from '../args';
import { planModel } from '../../engine/models';
import { ARCH_NAMES } from '../../engine/models/registry';
import type { ArchName } from '../../engine/models/types';
import { labTensorKind, pytorchName, pytorchShape } from '../../engine/io/pytorchLayout';
import { readModelFile } from '../modelFiles';
import { setupNodeBackend } from '../nodeBackend';

export const EXPORT_USAGE = `wmlab export --model model.json --out OUT.safetensors [--format safetensors] [--layout lab|pytorch]
  (lab: the lab's names and TF layouts, what a lab key addresses; pytorch: a PyTorch state_dict, docs/pytorch.md)
  wmlab export --names ${ARCH_NAMES.join('|')}   (the lab -> PyTorch name and shape table of an architecture, Markdown)`;

/** `wmlab export`: a lab model as one safetensors file, in the lab's layout or PyTorch's. */
export async function exportCommand(argv: string[]): Promise<Record<string, unknown> | RawText> {
  const o = parseOptions(argv, { model: { type: 'string' }, out: { type: 'string' }, format: { type: 'string' }, layout: { type: 'string' }, names: { type: 'string' } });
  oneOf(o.format, 'format', ['safetensors'] as const, 'safetensors'); // the one export format (the lab's own model.json is what train writes)
  if (o.names !== undefined) return new RawText(nameTable(oneOf(o.names, 'names', ARCH_NAMES, 'cnn') as ArchName));
  const modelPath = required(o.model, 'model');
  const out = required(o.out, 'out');
  const layout = oneOf(o.layout, 'layout', ['lab', 'pytorch'] as const, 'lab');
  if (!/\.safetensors$/i.test(out)) throw new UsageError(`--out must name a .safetensors file, got "${out}"`);
  await setupNodeBackend('cpu', 'eval');
  const model = await readModelFile(modelPath);
  try {
    const bytes = await exportSafetensors(model, {}, layout);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, bytes);
    return { model: modelPath, out, layout, bytes: bytes.byteLength, arch: model.config.arch, parameters: model.parameterCount };
  } finally {
    model.dispose();
  }
}

/** The lab -> PyTorch table of an architecture with its default options (Markdown). */
function nameTable(arch: ArchName): string {
  const plan = planModel(arch, {});
  const rows = [...plan.paramInfo, ...plan.stateInfo].map((p) => {
    const kind = labTensorKind(p.name, p.shape);
    const layout = { conv: 'permuted (O, I, kh, kw)', depthwise: 'permuted (I·mult, 1, kh, kw)', dense: 'transposed (out, in)', plain: 'as is' }[kind];
    return `| \`${p.name}\` | [${p.shape.join(', ')}] | \`${pytorchName(p.name)}\` | [${pytorchShape(kind, p.shape).join(', ')}] | ${layout} |`;
  });
  const bn = plan.stateInfo.filter((s) => s.name.endsWith('/moving_variance')).length;
  return [
    `### ${arch} (default options, ${plan.valueCount.toLocaleString('en')} values)`,
    '',
    '| lab name | lab shape | PyTorch name | PyTorch shape | values |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    bn > 0 ? `plus ${bn} int64 \`…num_batches_tracked\` (written as 0, ignored on import).` : 'no BatchNorm.',
    '',
  ].join('\n');
}
