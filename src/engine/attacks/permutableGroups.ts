import type { Model, ParamInfo } from '../models/types';

/** A tensor axis that indexes the units of a permutable group. */
export interface UnitAxis {
  readonly name: string;
  readonly axis: number;
}

/**
 * A set of units (output channels of a conv, output units of a dense) whose order can be
 * permuted without changing the network's function.
 * - producers: tensors whose `axis` has length `units` and is indexed by the unit directly
 *   (the producing kernel's last axis, its bias, BatchNorm gamma/beta and moving statistics);
 * - consumers: tensors whose `axis` has length S·units and is indexed by s·units + unit
 *   (the next conv's input axis 2 with S = 1, or a dense kernel's axis 0 after an NHWC flatten
 *   with S = H·W, or after global pooling with S = 1).
 *
 * Proposed additive field for `Model`: `readonly permutableGroups?: readonly PermutableGroup[]`,
 * declared by architectures with skip connections (where adjacency cannot be inferred).
 */
export interface PermutableGroup {
  readonly units: number;
  readonly producers: readonly UnitAxis[];
  readonly consumers: readonly UnitAxis[];
}

type ModelWithGroups = Model & { readonly permutableGroups?: readonly PermutableGroup[] };

const KERNEL_INPUT_AXIS: Partial<Record<ParamInfo['role'], number>> = { 'conv-kernel': 2, 'dense-kernel': 0 };

/**
 * The permutable groups of a model: the model's own declaration (`permutableGroups`) when it
 * has one; otherwise, for the plain sequential architectures ('cnn', 'vgg11'), inferred from the
 * parameter order (kernel, its bias / BN gamma, beta, then the next kernel consumes it) and
 * validated on shapes; for 'resnet20', the inner channels of every basic block. Other
 * architectures without a declaration throw (skip connections, squeeze-excite and attention
 * make inference from names unsafe).
 */
export function permutableGroups(model: Model): readonly PermutableGroup[] {
  const declared = (model as ModelWithGroups).permutableGroups;
  if (declared) return declared;
  if (model.config.arch === 'cnn' || model.config.arch === 'vgg11') return inferSequentialGroups(model);
  if (model.config.arch === 'resnet20') return inferResidualInnerGroups(model);
  throw new Error(`permute: architecture '${model.config.arch}' does not declare permutableGroups`);
}

/**
 * ResNet basic blocks: the channels that a residual connection ties together (stage outputs)
 * cannot be permuted independently, but each block's INNER channels can: the outputs of
 * `<block>/conv1` (+ `<block>/bn1` parameters and moving statistics) and the matching inputs of
 * `<block>/conv2`. Those are the groups used for 'resnet20' (a subset of all symmetries).
 */
export function inferResidualInnerGroups(model: Model): PermutableGroup[] {
  const byName = new Map(model.paramInfo.map((p) => [p.name, p]));
  const stateNames = new Set(model.stateInfo.map((s) => s.name));
  const groups: PermutableGroup[] = [];
  for (const p of model.paramInfo) {
    if (p.role !== 'conv-kernel' || !p.name.endsWith('/conv1/kernel')) continue;
    const block = p.name.slice(0, -'/conv1/kernel'.length);
    const units = p.shape[3];
    const next = byName.get(`${block}/conv2/kernel`);
    const bn = [`${block}/bn1/gamma`, `${block}/bn1/beta`];
    const stats = [`${block}/bn1/moving_mean`, `${block}/bn1/moving_variance`];
    if (!next || next.shape[2] !== units || !bn.every((n) => byName.get(n)?.shape[0] === units) || !stats.every((n) => stateNames.has(n))) continue;
    groups.push({
      units,
      producers: [{ name: p.name, axis: 3 }, ...[...bn, ...stats].map((name) => ({ name, axis: 0 }))],
      consumers: [{ name: next.name, axis: 2 }],
    });
  }
  return groups;
}

/** Sequential inference (see `permutableGroups`); exported for tests. */
export function inferSequentialGroups(model: Model): PermutableGroup[] {
  const info = model.paramInfo;
  const groups: PermutableGroup[] = [];
  for (let i = 0; i < info.length; i++) {
    const p = info[i];
    if (KERNEL_INPUT_AXIS[p.role] === undefined) continue;
    const units = p.shape[p.shape.length - 1];
    const producers: UnitAxis[] = [{ name: p.name, axis: p.shape.length - 1 }];
    let j = i + 1;
    for (; j < info.length; j++) {
      const q = info[j];
      if (q.role === 'bias' || q.role === 'bn-gamma' || q.role === 'bn-beta') {
        if (q.shape.length !== 1 || q.shape[0] !== units) break;
        producers.push({ name: q.name, axis: 0 });
        if (q.role === 'bn-gamma') {
          const prefix = q.name.slice(0, q.name.lastIndexOf('/') + 1);
          for (const s of model.stateInfo) {
            if (s.name.startsWith(prefix) && s.name.indexOf('/', prefix.length) < 0 && s.shape[0] === units) {
              producers.push({ name: s.name, axis: 0 });
            }
          }
        }
        continue;
      }
      break;
    }
    const next = info[j];
    if (!next) continue; // the last layer's outputs are the logits: not permutable
    const axis = KERNEL_INPUT_AXIS[next.role];
    if (axis === undefined || next.shape[axis] % units !== 0) continue;
    groups.push({ units, producers, consumers: [{ name: next.name, axis }] });
  }
  return groups;
}
