import * as tf from '@tensorflow/tfjs-core';
import { batchNorm, conv2d, dense, depthwiseConv2d, globalAvgPool, hardSwish, relu, squeezeExcite, type ForwardContext } from './layers';
import type { ArchitectureFactory } from './architecture';
import { intOption, makeDivisible, numberOption } from './options';

/** One inverted-residual ("bneck") row of MobileNetV3-Small (Howard et al. 2019, Table 2). */
interface BneckRow {
  readonly k: number;
  readonly exp: number;
  readonly out: number;
  readonly se: boolean;
  readonly hs: boolean;
  readonly stride: number;
}

/**
 * MobileNetV3-Small rows. Our 32x32 adaptation: the stem and the first bneck use stride 1
 * instead of 2 (total stride 8, final feature map 4x4 instead of 1x1).
 */
const SMALL_ROWS: readonly BneckRow[] = [
  { k: 3, exp: 16, out: 16, se: true, hs: false, stride: 1 },
  { k: 3, exp: 72, out: 24, se: false, hs: false, stride: 2 },
  { k: 3, exp: 88, out: 24, se: false, hs: false, stride: 1 },
  { k: 5, exp: 96, out: 40, se: true, hs: true, stride: 2 },
  { k: 5, exp: 240, out: 40, se: true, hs: true, stride: 1 },
  { k: 5, exp: 240, out: 40, se: true, hs: true, stride: 1 },
  { k: 5, exp: 120, out: 48, se: true, hs: true, stride: 1 },
  { k: 5, exp: 144, out: 48, se: true, hs: true, stride: 1 },
  { k: 5, exp: 288, out: 96, se: true, hs: true, stride: 2 },
  { k: 5, exp: 576, out: 96, se: true, hs: true, stride: 1 },
  { k: 5, exp: 576, out: 96, se: true, hs: true, stride: 1 },
];

interface BneckPlan {
  readonly prefix: string;
  readonly row: BneckRow;
  readonly expand: boolean;
  readonly residual: boolean;
}

/**
 * MobileNetV3-Small-like network for 32x32 inputs: 3x3 stem conv (16) + BN + hard-swish,
 * 11 bneck blocks (1x1 expand conv + BN + act, kxk depthwise conv + BN + act, optional
 * squeeze-excite with reduction 4, 1x1 linear projection + BN, residual when shapes allow),
 * 1x1 conv (576) + BN + hard-swish, global average pool, dense `headWidth` (1024) +
 * hard-swish, dense classifier. No dropout (our choice: training is short).
 * Options: `widthMultiplier` (1), `headWidth` (1024). Channels rounded with make_divisible(8).
 * Names: stem/conv/kernel, stem/bn/*, bneck{i}/expand/conv/kernel, bneck{i}/expand/bn/*,
 * bneck{i}/dw/kernel, bneck{i}/dw/bn/*, bneck{i}/se/{reduce,expand}/kernel|bias,
 * bneck{i}/project/conv/kernel, bneck{i}/project/bn/*, last/conv/kernel, last/bn/*,
 * head/fc1/kernel|bias, head/dense/kernel|bias.
 */
export const buildMobileNetV3Small: ArchitectureFactory = (b, inputShape, numClasses, opts) => {
  const wm = numberOption(opts, 'widthMultiplier', 1);
  if (!(wm > 0)) throw new Error('mobilenetv3s: widthMultiplier must be > 0');
  const headWidth = intOption(opts, 'headWidth', 1024);
  const ch = (v: number) => makeDivisible(v * wm, 8);
  const [, , c] = inputShape;

  const stemC = ch(16);
  b.convKernel('stem/conv/kernel', 3, 3, c, stemC);
  b.batchNorm('stem/bn', stemC);
  const plans: BneckPlan[] = [];
  let inC = stemC;
  SMALL_ROWS.forEach((row, i) => {
    const prefix = `bneck${i}`;
    const expC = ch(row.exp);
    const outC = ch(row.out);
    const expand = expC !== inC;
    if (expand) {
      b.convKernel(`${prefix}/expand/conv/kernel`, 1, 1, inC, expC);
      b.batchNorm(`${prefix}/expand/bn`, expC);
    }
    b.depthwiseKernel(`${prefix}/dw/kernel`, row.k, row.k, expC);
    b.batchNorm(`${prefix}/dw/bn`, expC);
    if (row.se) {
      const sq = makeDivisible(expC / 4, 8);
      b.denseKernel(`${prefix}/se/reduce/kernel`, expC, sq, 'he');
      b.bias(`${prefix}/se/reduce/bias`, sq);
      b.denseKernel(`${prefix}/se/expand/kernel`, sq, expC, 'glorot');
      b.bias(`${prefix}/se/expand/bias`, expC);
    }
    b.convKernel(`${prefix}/project/conv/kernel`, 1, 1, expC, outC);
    b.batchNorm(`${prefix}/project/bn`, outC);
    plans.push({ prefix, row: { ...row, exp: expC, out: outC }, expand, residual: row.stride === 1 && inC === outC });
    inC = outC;
  });
  const lastC = ch(576);
  b.convKernel('last/conv/kernel', 1, 1, inC, lastC);
  b.batchNorm('last/bn', lastC);
  b.denseKernel('head/fc1/kernel', lastC, headWidth, 'he');
  b.bias('head/fc1/bias', headWidth);
  b.denseKernel('head/dense/kernel', headWidth, numClasses, 'glorot');
  b.bias('head/dense/bias', numClasses);

  const bneck = (ctx: ForwardContext, x: tf.Tensor4D, p: BneckPlan): tf.Tensor4D => {
    const act = p.row.hs ? hardSwish : relu;
    let y = x;
    if (p.expand) y = act(batchNorm(ctx, `${p.prefix}/expand/bn`, conv2d(ctx, `${p.prefix}/expand/conv`, y)));
    y = act(batchNorm(ctx, `${p.prefix}/dw/bn`, depthwiseConv2d(ctx, `${p.prefix}/dw`, y, { stride: p.row.stride })));
    if (p.row.se) y = squeezeExcite(ctx, `${p.prefix}/se`, y);
    y = batchNorm(ctx, `${p.prefix}/project/bn`, conv2d(ctx, `${p.prefix}/project/conv`, y));
    return p.residual ? tf.add(y, x) : y;
  };

  return {
    options: { widthMultiplier: wm, headWidth },
    forward: (ctx, x) => {
      let y = hardSwish(batchNorm(ctx, 'stem/bn', conv2d(ctx, 'stem/conv', x)));
      for (const p of plans) y = bneck(ctx, y, p);
      y = hardSwish(batchNorm(ctx, 'last/bn', conv2d(ctx, 'last/conv', y)));
      const f = hardSwish(dense(ctx, 'head/fc1', globalAvgPool(y)));
      return dense(ctx, 'head/dense', f);
    },
  };
};
