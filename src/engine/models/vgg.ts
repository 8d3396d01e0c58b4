import { batchNorm, conv2d, dense, flatten, maxPool, relu } from './layers';
import type { ArchitectureFactory } from './architecture';
import { intOption, makeDivisible, numberOption } from './options';

/** VGG-11 layout ("A" in Simonyan & Zisserman): channel counts, 'M' = 2x2 max-pool. */
const VGG11_LAYOUT: readonly (number | 'M')[] = [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'];

/**
 * VGG-11 with BatchNorm for 32x32 inputs: eight 3x3 conv+BN+ReLU layers, five max-pools
 * (32 -> 1), then a `hidden`-unit dense + ReLU (0 = none) and the classifier.
 * Widths are VGG-11's times `widthMultiplier` (default 0.25: 16-32-64-64-128-128-128-128),
 * rounded to multiples of 4 (our choice, for cpu speed in the lab).
 * Names: conv{1..8}/kernel, bn{1..8}/*, fc1/kernel|bias (when hidden > 0), head/dense/kernel|bias.
 */
export const buildVgg11: ArchitectureFactory = (b, inputShape, numClasses, opts) => {
  const widthMultiplier = numberOption(opts, 'widthMultiplier', 0.25);
  if (!(widthMultiplier > 0)) throw new Error('vgg11: widthMultiplier must be > 0');
  const hiddenOpt = opts?.hidden;
  const hidden = hiddenOpt === 0 ? 0 : intOption(opts, 'hidden', 128);
  const [h, w, c] = inputShape;
  if (h % 32 !== 0 || w % 32 !== 0) throw new Error('vgg11: input height and width must be multiples of 32');

  let inC = c;
  let convIndex = 0;
  const plan: ('M' | string)[] = [];
  for (const item of VGG11_LAYOUT) {
    if (item === 'M') {
      plan.push('M');
      continue;
    }
    convIndex += 1;
    const outC = makeDivisible(item * widthMultiplier, 4);
    b.convKernel(`conv${convIndex}/kernel`, 3, 3, inC, outC);
    b.batchNorm(`bn${convIndex}`, outC);
    plan.push(String(convIndex));
    inC = outC;
  }
  const flat = (h / 32) * (w / 32) * inC;
  let headIn = flat;
  if (hidden > 0) {
    b.denseKernel('fc1/kernel', flat, hidden, 'he');
    b.bias('fc1/bias', hidden);
    headIn = hidden;
  }
  b.denseKernel('head/dense/kernel', headIn, numClasses, 'glorot');
  b.bias('head/dense/bias', numClasses);

  return {
    options: { widthMultiplier, hidden },
    forward: (ctx, x) => {
      let y = x;
      for (const p of plan) {
        if (p === 'M') y = maxPool(y);
        else y = relu(batchNorm(ctx, `bn${p}`, conv2d(ctx, `conv${p}`, y)));
      }
      let f = flatten(y);
      if (hidden > 0) f = relu(dense(ctx, 'fc1', f));
      return dense(ctx, 'head/dense', f);
    },
  };
};
