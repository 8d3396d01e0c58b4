import * as tf from '@tensorflow/tfjs-core';
import { batchNorm, conv2d, dense, globalAvgPool, relu, type ForwardContext } from './layers';
import type { ArchitectureFactory } from './architecture';
import { intOption } from './options';

/**
 * CIFAR ResNet (He et al. 2016, section 4.2): 3x3 conv(16) + BN + ReLU, three stages of
 * `blocksPerStage` basic blocks (default 3: ResNet-20; 5 gives ResNet-32) with 16/32/64
 * channels (times `width`), stride 2 at the start of stages 2 and 3, global average
 * pooling and a dense classifier.
 * Shortcuts: option B (our choice): identity where shapes match, 1x1 conv (stride 2) + BN
 * projection where they change. (Option A, zero-padding, has no parameters; B is what
 * most re-implementations use and adds ~2.8k parameters: 0.27M in total.)
 * Names: stem/conv/kernel, stem/bn/*, stage{1..3}/block{i}/conv{1,2}/kernel,
 * stage{s}/block{i}/bn{1,2}/*, stage{s}/block0/shortcut/conv/kernel, .../shortcut/bn/*,
 * head/dense/kernel|bias.
 */
export const buildResnet: ArchitectureFactory = (b, inputShape, numClasses, opts) => {
  const n = intOption(opts, 'blocksPerStage', 3);
  const width = intOption(opts, 'width', 16);
  const [, , c] = inputShape;
  const widths = [width, 2 * width, 4 * width];

  b.convKernel('stem/conv/kernel', 3, 3, c, width);
  b.batchNorm('stem/bn', width);
  interface BlockPlan { prefix: string; stride: number; projection: boolean }
  const plan: BlockPlan[] = [];
  let inC = width;
  widths.forEach((outC, s) => {
    for (let i = 0; i < n; i++) {
      const prefix = `stage${s + 1}/block${i}`;
      const stride = s > 0 && i === 0 ? 2 : 1;
      const projection = stride !== 1 || inC !== outC;
      b.convKernel(`${prefix}/conv1/kernel`, 3, 3, inC, outC);
      b.batchNorm(`${prefix}/bn1`, outC);
      b.convKernel(`${prefix}/conv2/kernel`, 3, 3, outC, outC);
      b.batchNorm(`${prefix}/bn2`, outC);
      if (projection) {
        b.convKernel(`${prefix}/shortcut/conv/kernel`, 1, 1, inC, outC);
        b.batchNorm(`${prefix}/shortcut/bn`, outC);
      }
      plan.push({ prefix, stride, projection });
      inC = outC;
    }
  });
  b.denseKernel('head/dense/kernel', inC, numClasses, 'glorot');
  b.bias('head/dense/bias', numClasses);

  const block = (ctx: ForwardContext, x: tf.Tensor4D, p: BlockPlan): tf.Tensor4D => {
    let y = relu(batchNorm(ctx, `${p.prefix}/bn1`, conv2d(ctx, `${p.prefix}/conv1`, x, { stride: p.stride })));
    y = batchNorm(ctx, `${p.prefix}/bn2`, conv2d(ctx, `${p.prefix}/conv2`, y));
    const shortcut = p.projection
      ? batchNorm(ctx, `${p.prefix}/shortcut/bn`, conv2d(ctx, `${p.prefix}/shortcut/conv`, x, { stride: p.stride }))
      : x;
    return relu(tf.add(y, shortcut));
  };

  return {
    options: { blocksPerStage: n, width },
    forward: (ctx, x) => {
      let y = relu(batchNorm(ctx, 'stem/bn', conv2d(ctx, 'stem/conv', x)));
      for (const p of plan) y = block(ctx, y, p);
      return dense(ctx, 'head/dense', globalAvgPool(y));
    },
  };
};
