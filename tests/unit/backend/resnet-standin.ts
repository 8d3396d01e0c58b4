import * as tf from '@tensorflow/tfjs-core';
import { randn } from './helpers';

/**
 * A ResNet-20-shaped stand-in built from raw tf ops (CIFAR ResNet: 3x3 stem, 3 stages x 3
 * basic blocks at 16/32/64 channels, stride-2 stage transitions with 1x1-conv + BN shortcuts,
 * global average pool, dense, softmax cross-entropy), for timing training steps per backend.
 */
export interface StandIn {
  readonly vars: tf.Variable[];
  step(x: tf.Tensor4D, labels: tf.Tensor1D, lr: number): tf.Scalar;
  dispose(): void;
}

export function resnet20StandIn(seed = 1): StandIn {
  const vars: tf.Variable[] = [];
  const v = (name: string, shape: number[], init: 'he' | 'one' | 'zero'): tf.Variable => {
    const n = shape.reduce((a, b) => a * b, 1);
    const fan = shape.length === 4 ? shape[0] * shape[1] * shape[2] : shape[0];
    const t = init === 'one' ? tf.ones(shape) : init === 'zero' ? tf.zeros(shape) : tf.tensor(randn(seed++, n, Math.sqrt(2 / fan)), shape);
    const out = tf.variable(t, true);
    void name;
    t.dispose();
    vars.push(out);
    return out;
  };
  type Conv = { w: tf.Variable; g: tf.Variable; b: tf.Variable; stride: number };
  const conv = (name: string, k: number, cin: number, cout: number, stride: number): Conv => ({
    w: v(`${name}/w`, [k, k, cin, cout], 'he'),
    g: v(`${name}/g`, [cout], 'one'),
    b: v(`${name}/b`, [cout], 'zero'),
    stride,
  });
  const apply = (c: Conv, x: tf.Tensor4D): tf.Tensor4D => {
    const y = tf.conv2d(x, c.w as unknown as tf.Tensor4D, c.stride, 'same');
    const m = tf.moments(y, [0, 1, 2]);
    return tf.batchNorm(y, m.mean, m.variance, c.b as unknown as tf.Tensor1D, c.g as unknown as tf.Tensor1D, 1e-5) as tf.Tensor4D;
  };
  const stem = conv('stem', 3, 3, 16, 1);
  const blocks: Array<{ a: Conv; b: Conv; sc?: Conv }> = [];
  let cin = 16;
  for (const [stage, cout] of [16, 32, 64].entries()) {
    for (let i = 0; i < 3; i++) {
      const stride = stage > 0 && i === 0 ? 2 : 1;
      blocks.push({
        a: conv(`s${stage}b${i}a`, 3, cin, cout, stride),
        b: conv(`s${stage}b${i}b`, 3, cout, cout, 1),
        sc: stride !== 1 || cin !== cout ? conv(`s${stage}b${i}sc`, 1, cin, cout, stride) : undefined,
      });
      cin = cout;
    }
  }
  const head = v('head/w', [64, 10], 'he');
  const headB = v('head/b', [10], 'zero');
  const forward = (x: tf.Tensor4D): tf.Tensor2D => {
    let h = tf.relu(apply(stem, x));
    for (const blk of blocks) {
      const r = apply(blk.b, tf.relu(apply(blk.a, h)));
      h = tf.relu(tf.add(r, blk.sc ? apply(blk.sc, h) : h));
    }
    return tf.add(tf.matMul(tf.mean(h, [1, 2]), head), headB);
  };
  return {
    vars,
    step(x, labels, lr) {
      return tf.tidy(() => {
        const { value, grads } = tf.variableGrads(
          () => tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 10), forward(x)) as tf.Scalar,
          vars,
        );
        for (const w of vars) w.assign(tf.sub(w, tf.mul(grads[w.name], lr)));
        return value;
      });
    },
    dispose: () => tf.dispose(vars),
  };
}
