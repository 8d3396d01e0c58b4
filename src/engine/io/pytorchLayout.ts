/**
 * The lab's tensors in PyTorch's names and layouts, and back (docs/pytorch.md).
 *
 * Names: '/' becomes '.', and the last part maps as a torch.nn module names its tensors:
 *
 *   kernel → weight, bias → bias, gamma → weight, beta → bias (BatchNorm and LayerNorm),
 *   moving_mean → running_mean, moving_variance → running_var; anything else (ViT's
 *   cls_token, pos_embed) keeps its name.  e.g. `layer1/0/conv1/kernel` → `layer1.0.conv1.weight`.
 *
 * Layouts (flat row-major values are permuted, not reshaped):
 *
 *   conv kernel       lab [kh, kw, in, out]   → torch [out, in, kh, kw]
 *   depthwise kernel  lab [kh, kw, in, mult]  → torch [in·mult, 1, kh, kw]   (groups = in)
 *   dense kernel      lab [in, out]           → torch [out, in]
 *   everything else   unchanged
 *
 * A lab kernel is a 4-D `…/kernel` (depthwise when its name has a `/dw/` part) or a 2-D
 * `…/kernel`. PyTorch's BatchNorm `num_batches_tracked` (int64) has no lab counterpart: it is
 * written as 0 on export and ignored on import.
 */
export type LabTensorKind = 'conv' | 'depthwise' | 'dense' | 'plain';

export interface PlainTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

const LAST_PART: Record<string, string> = { kernel: 'weight', gamma: 'weight', beta: 'bias', moving_mean: 'running_mean', moving_variance: 'running_var' };

/** The PyTorch state_dict name of a lab tensor. */
export function pytorchName(labName: string): string {
  const parts = labName.split('/');
  const last = parts.pop()!;
  return [...parts, LAST_PART[last] ?? last].join('.');
}

/** How a lab tensor is laid out, from its name and rank. */
export function labTensorKind(name: string, shape: readonly number[]): LabTensorKind {
  if (!name.endsWith('/kernel')) return 'plain';
  if (shape.length === 4) return name.includes('/dw/') ? 'depthwise' : 'conv';
  if (shape.length === 2) return 'dense';
  return 'plain';
}

/** The PyTorch shape of a lab tensor. */
export function pytorchShape(kind: LabTensorKind, s: readonly number[]): number[] {
  switch (kind) {
    case 'conv':
      return [s[3], s[2], s[0], s[1]];
    case 'depthwise':
      return [s[2] * s[3], 1, s[0], s[1]];
    case 'dense':
      return [s[1], s[0]];
    case 'plain':
      return [...s];
  }
}

/**
 * The flat index in the PyTorch layout of each lab index: out[labIndex] = torchIndex. The
 * permutation is its own documentation of the layouts above.
 */
function torchIndexOf(kind: LabTensorKind, s: readonly number[]): (labIndex: number) => number {
  switch (kind) {
    case 'conv': {
      const [kh, kw, cin, cout] = s;
      return (i) => {
        const o = i % cout, c = Math.floor(i / cout) % cin, b = Math.floor(i / (cout * cin)) % kw, a = Math.floor(i / (cout * cin * kw));
        return ((o * cin + c) * kh + a) * kw + b;
      };
    }
    case 'depthwise': {
      const [kh, kw, cin, mult] = s;
      return (i) => {
        const m = i % mult, c = Math.floor(i / mult) % cin, b = Math.floor(i / (mult * cin)) % kw, a = Math.floor(i / (mult * cin * kw));
        return ((c * mult + m) * kh + a) * kw + b;
      };
    }
    case 'dense': {
      const [cin, cout] = s;
      return (i) => (i % cout) * cin + Math.floor(i / cout);
    }
    case 'plain':
      return (i) => i;
  }
}

/** A lab tensor in PyTorch's name, shape and layout. */
export function toPytorch(t: PlainTensor): PlainTensor {
  const kind = labTensorKind(t.name, t.shape);
  const at = torchIndexOf(kind, t.shape);
  const values = new Float32Array(t.values.length);
  for (let i = 0; i < values.length; i++) values[at(i)] = t.values[i];
  return { name: pytorchName(t.name), shape: pytorchShape(kind, t.shape), values };
}

/** The lab tensor `labName` of lab shape `labShape` from its PyTorch counterpart's values. */
export function fromPytorch(labName: string, labShape: readonly number[], torchValues: Float32Array): Float32Array {
  const at = torchIndexOf(labTensorKind(labName, labShape), labShape);
  const values = new Float32Array(torchValues.length);
  for (let i = 0; i < values.length; i++) values[i] = torchValues[at(i)];
  return values;
}

/** True when tensor names follow PyTorch's convention ('.'-separated, none with '/'). */
export function looksLikePytorch(names: Iterable<string>): boolean {
  let dotted = false;
  for (const n of names) {
    if (n.includes('/')) return false;
    if (n.includes('.')) dotted = true;
  }
  return dotted;
}

/**
 * The lab tensors `expected` (names and lab shapes, e.g. a key's architecture) read from a
 * PyTorch state_dict's tensors: renamed, shape-checked against the PyTorch layout and
 * permuted back. Throws naming the first tensor that is missing or has another shape.
 */
export function labTensorsFromPytorch(
  tensors: ReadonlyMap<string, { readonly shape: readonly number[]; readonly values: Float32Array }>,
  expected: readonly { readonly name: string; readonly shape: readonly number[] }[],
): Map<string, { shape: number[]; values: Float32Array }> {
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const e of expected) {
    const torchName = pytorchName(e.name);
    const t = tensors.get(torchName);
    const want = pytorchShape(labTensorKind(e.name, e.shape), e.shape);
    if (!t) throw new Error(`PyTorch tensor '${torchName}' (the lab's '${e.name}') is missing`);
    if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i])) {
      throw new Error(`PyTorch tensor '${torchName}' is [${t.shape.join(', ')}], expected [${want.join(', ')}] for the lab's '${e.name}' [${e.shape.join(', ')}]`);
    }
    out.set(e.name, { shape: [...e.shape], values: fromPytorch(e.name, e.shape, t.values) });
  }
  return out;
}
