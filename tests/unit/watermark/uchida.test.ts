import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../../../src/engine/models';
import { Rng } from '../../../src/engine/random/rng';
import { arrayBatchSource, train } from '../../../src/engine/train';
import { parseMethodKeyFile } from '../../../src/engine/methods';
import { KeyFileError, parseKeyFile } from '../../../src/engine/watermark/keyFile';
import { seedFromHex } from '../../../src/engine/watermark/seed/seed';
import {
  createUchidaKey,
  parseUchidaKeyFile,
  serializeUchidaKey,
  uchidaMatrix,
  verifyUchida,
} from '../../../src/engine/watermark/uchida';
import { UchidaObjective } from '../../../src/engine/watermark/uchidaObjective';

const seed = seedFromHex('42'.repeat(32));
const smallCnn = (s: number) => createModel('cnn', { seed: s, inputShape: [8, 8, 3], numClasses: 4, options: { width: 4, hidden: 8 } });

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Uchida 2017 baseline', () => {
  it('builds a reproducible key with an N(0,1) matrix and round-trips it', () => {
    const model = smallCnn(1);
    const key = createUchidaKey(model, { seed, payload: { kind: 'random-bits', count: 32 }, createdAt: 'x' });
    expect(key.layer).toBe('conv2/kernel'); // first conv with M = 3·3·4 = 36 ≥ 32
    expect(key.matrix.cols).toBe(36);
    const X = uchidaMatrix(key);
    expect(uchidaMatrix(key)).toEqual(X);
    const big = uchidaMatrix({ matrix: { ...key.matrix, rows: 200, cols: 100 } });
    const mean = big.reduce((s, v) => s + v, 0) / big.length;
    const variance = big.reduce((s, v) => s + (v - mean) ** 2, 0) / big.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    const text = serializeUchidaKey(key);
    expect(parseUchidaKeyFile(text)).toEqual(key);
    const any = parseMethodKeyFile(text);
    expect(any.method).toBe('uchida');
    // a WaterMAS parser refuses it with a specific error, and vice versa
    expect(() => parseKeyFile(text)).toThrow(KeyFileError);
    expect(() => parseKeyFile(text)).toThrow(/Uchida/);
    const bad = JSON.parse(text);
    bad.matrix.rows = 31;
    expect(() => parseUchidaKeyFile(JSON.stringify(bad))).toThrow(/32 bits but the matrix has 31 rows/);
    model.dispose();
  });

  it('embeds by training with the regulariser: BER falls to 0 and the mark is detected', async () => {
    const model = smallCnn(2);
    const key = createUchidaKey(model, { seed, payload: { kind: 'text', text: 'UCHIDA' } }); // 48 bits
    expect(key.layer).toBe('conv4/kernel'); // M = 72 is the first ≥ 48
    const before = await verifyUchida(model, key);
    expect(before.ber).toBeGreaterThan(0.2);
    const rng = new Rng(3);
    const images = rng.fillNormal(new Float32Array(32 * 8 * 8 * 3));
    const labels = Int32Array.from({ length: 32 }, () => rng.int(4));
    const objective = new UchidaObjective(key, { lambda: 0.5 });
    const n0 = tf.memory().numTensors;
    const res = await train(model, arrayBatchSource(images, labels, [8, 8, 3], 16), { optimizer: 'sgd', momentum: 0.9, lr: 0.05, epochs: 15, logEvery: 10 }, { objective });
    expect(tf.memory().numTensors).toBe(n0);
    expect(res.status).toBe('completed');
    const after = await verifyUchida(model, key);
    expect(after.ber).toBe(0);
    expect(after.detected).toBe(true);
    expect(after.message).toBe('UCHIDA');
    // the JS extraction agrees with the tensor regulariser's logits
    const z = tf.tidy(() => tf.matMul(tf.tensor2d(uchidaMatrix(key), [48, 72]), tf.reshape(tf.mean(model.params.get(key.layer)!, 3), [-1, 1])));
    const zs = await z.data();
    expect(Array.from(zs, (v) => (v > 0 ? '1' : '0')).join('')).toBe(after.decodedBits);
    z.dispose();
    objective.dispose();
    model.dispose();
  });
});
