import { batchNorm, conv2d, dense, flatten, maxPool, relu } from './layers';
import type { ArchitectureFactory } from './architecture';
import { boolOption, intOption } from './options';

/**
 * Small CNN (our design, fast on cpu): conv(w)-conv(w)-pool-conv(2w)-conv(2w)-pool-
 * dense(hidden)-dense(classes), 3x3 'same' convolutions, ReLU, BatchNorm after each
 * conv by default (convs then carry no bias; without BN they do).
 * Options: `width` (w, default 32), `hidden` (default 128), `batchNorm` (default true).
 * Names: conv1..conv4/kernel (+bias), bn1..bn4/*, fc1/kernel|bias, head/dense/kernel|bias.
 */
export const buildCnn: ArchitectureFactory = (b, inputShape, numClasses, opts) => {
  const width = intOption(opts, 'width', 32);
  const hidden = intOption(opts, 'hidden', 128);
  const useBn = boolOption(opts, 'batchNorm', true);
  const [h, w, c] = inputShape;
  if (h % 4 !== 0 || w % 4 !== 0) throw new Error('cnn: input height and width must be multiples of 4');
  const channels = [width, width, 2 * width, 2 * width];
  let inC = c;
  channels.forEach((outC, i) => {
    b.convKernel(`conv${i + 1}/kernel`, 3, 3, inC, outC);
    if (useBn) b.batchNorm(`bn${i + 1}`, outC);
    else b.bias(`conv${i + 1}/bias`, outC);
    inC = outC;
  });
  const flat = (h / 4) * (w / 4) * 2 * width;
  b.denseKernel('fc1/kernel', flat, hidden, 'he');
  b.bias('fc1/bias', hidden);
  b.denseKernel('head/dense/kernel', hidden, numClasses, 'glorot');
  b.bias('head/dense/bias', numClasses);

  return {
    options: { width, hidden, batchNorm: useBn },
    forward: (ctx, x) => {
      let y = x;
      for (let i = 1; i <= 4; i++) {
        y = conv2d(ctx, `conv${i}`, y, { bias: !useBn });
        if (useBn) y = batchNorm(ctx, `bn${i}`, y);
        y = relu(y);
        if (i === 2 || i === 4) y = maxPool(y);
      }
      const f = relu(dense(ctx, 'fc1', flatten(y)));
      return dense(ctx, 'head/dense', f);
    },
  };
};
