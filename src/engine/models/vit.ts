import * as tf from '@tensorflow/tfjs-core';
import { dense, gelu, layerNorm, type ForwardContext } from './layers';
import type { ArchitectureFactory } from './architecture';
import { enumOption, intOption, numberOption } from './options';

/**
 * Tiny vision transformer (Dosovitskiy et al. 2021) sized for a browser lab:
 * non-overlapping `patchSize` x `patchSize` patches (4) embedded by a dense layer
 * (`patch_embed/kernel` [p*p*C, dim], rows in (kh, kw, c) order, applied as a strided
 * convolution), learned position embedding, a class token (or mean pooling), `depth` (4)
 * pre-LayerNorm blocks of `heads`-head (4) self-attention and a GELU MLP (`mlpRatio` 2),
 * a final LayerNorm and a dense classifier. No dropout. `dim` defaults to 64.
 * Names: patch_embed/kernel|bias, cls_token [1,1,dim], pos_embed [1,T,dim],
 * block{i}/ln1/*, block{i}/attn/qkv/kernel|bias, block{i}/attn/proj/kernel|bias,
 * block{i}/ln2/*, block{i}/mlp/fc1/kernel|bias, block{i}/mlp/fc2/kernel|bias,
 * head/ln/*, head/dense/kernel|bias.
 */
export const buildVitTiny: ArchitectureFactory = (b, inputShape, numClasses, opts) => {
  const patch = intOption(opts, 'patchSize', 4);
  const dim = intOption(opts, 'dim', 64);
  const depth = intOption(opts, 'depth', 4);
  const heads = intOption(opts, 'heads', 4);
  const mlpRatio = numberOption(opts, 'mlpRatio', 2);
  const pooling = enumOption(opts, 'pooling', ['cls', 'mean'] as const, 'cls');
  const [h, w, c] = inputShape;
  if (h % patch !== 0 || w % patch !== 0) throw new Error('vit-tiny: input size must be a multiple of patchSize');
  if (dim % heads !== 0) throw new Error('vit-tiny: dim must be divisible by heads');
  const hidden = Math.round(dim * mlpRatio);
  if (hidden < 1) throw new Error('vit-tiny: mlpRatio too small');
  const headDim = dim / heads;
  const numPatches = (h / patch) * (w / patch);
  const tokens = numPatches + (pooling === 'cls' ? 1 : 0);

  b.denseKernel('patch_embed/kernel', patch * patch * c, dim, 'glorot');
  b.bias('patch_embed/bias', dim);
  if (pooling === 'cls') b.embedding('cls_token', [1, 1, dim]);
  b.embedding('pos_embed', [1, tokens, dim]);
  for (let i = 0; i < depth; i++) {
    const p = `block${i}`;
    b.layerNorm(`${p}/ln1`, dim);
    b.denseKernel(`${p}/attn/qkv/kernel`, dim, 3 * dim, 'glorot');
    b.bias(`${p}/attn/qkv/bias`, 3 * dim);
    b.denseKernel(`${p}/attn/proj/kernel`, dim, dim, 'glorot');
    b.bias(`${p}/attn/proj/bias`, dim);
    b.layerNorm(`${p}/ln2`, dim);
    b.denseKernel(`${p}/mlp/fc1/kernel`, dim, hidden, 'glorot');
    b.bias(`${p}/mlp/fc1/bias`, hidden);
    b.denseKernel(`${p}/mlp/fc2/kernel`, hidden, dim, 'glorot');
    b.bias(`${p}/mlp/fc2/bias`, dim);
  }
  b.layerNorm('head/ln', dim);
  b.denseKernel('head/dense/kernel', dim, numClasses, 'glorot');
  b.bias('head/dense/bias', numClasses);

  /** [B, T, dim] -> [B, heads, T, headDim]. */
  const splitHeads = (t: tf.Tensor3D): tf.Tensor4D => {
    const [bs, n] = t.shape;
    return tf.transpose(tf.reshape(t, [bs, n, heads, headDim]), [0, 2, 1, 3]);
  };

  const attention = (ctx: ForwardContext, p: string, x: tf.Tensor3D): tf.Tensor3D => {
    const [bs, n] = x.shape;
    const qkv = dense(ctx, `${p}/attn/qkv`, x);
    const [q, k, v] = tf.split(qkv, 3, 2) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
    const scores = tf.mul(tf.matMul(splitHeads(q), splitHeads(k), false, true), 1 / Math.sqrt(headDim));
    const attn = tf.softmax(scores);
    const out = tf.transpose(tf.matMul(attn, splitHeads(v)), [0, 2, 1, 3]);
    return dense(ctx, `${p}/attn/proj`, tf.reshape(out, [bs, n, dim]) as tf.Tensor3D);
  };

  return {
    options: { patchSize: patch, dim, depth, heads, mlpRatio, pooling },
    forward: (ctx, x) => {
      const bs = x.shape[0];
      const kernel = tf.reshape(ctx.param('patch_embed/kernel'), [patch, patch, c, dim]) as tf.Tensor4D;
      const emb = tf.add(tf.conv2d(x, kernel, patch, 'valid'), ctx.param('patch_embed/bias'));
      let t = tf.reshape(emb, [bs, numPatches, dim]) as tf.Tensor3D;
      if (pooling === 'cls') t = tf.concat([tf.tile(ctx.param('cls_token'), [bs, 1, 1]) as tf.Tensor3D, t], 1);
      t = tf.add(t, ctx.param('pos_embed'));
      for (let i = 0; i < depth; i++) {
        const p = `block${i}`;
        t = tf.add(t, attention(ctx, p, layerNorm(ctx, `${p}/ln1`, t)));
        const m = dense(ctx, `${p}/mlp/fc2`, gelu(dense(ctx, `${p}/mlp/fc1`, layerNorm(ctx, `${p}/ln2`, t))));
        t = tf.add(t, m);
      }
      t = layerNorm(ctx, 'head/ln', t);
      const pooled =
        pooling === 'cls'
          ? (tf.reshape(tf.slice(t, [0, 0, 0], [bs, 1, dim]), [bs, dim]) as tf.Tensor2D)
          : (tf.mean(t, 1) as tf.Tensor2D);
      return dense(ctx, 'head/dense', pooled);
    },
  };
};
