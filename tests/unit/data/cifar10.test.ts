import { describe, expect, it } from 'vitest';
import {
  CIFAR10_CLASS_NAMES, CIFAR10_FILES, CIFAR10_FILE_BYTES, assembleCifar10, checkCifarBatch, cifarFilesNeeded,
  encodeCifarBatch, parseCifarBatch,
} from '../../../src/engine/data/cifar10';
import { concatImageSets, sliceImageSet } from '../../../src/engine/data/imageset';
import { fakeBatch, hasRealCifar, readRealTestBatch } from './helpers';

describe.skipIf(!hasRealCifar)('CIFAR-10 parser on real records (test_batch.bin)', () => {
  const bytes = hasRealCifar ? readRealTestBatch() : new Uint8Array(0);

  it('reads 10,000 records; the first labels are 3, 8, 8, 0, 6 (cat, ship, ship, airplane, frog)', () => {
    expect(bytes.length).toBe(CIFAR10_FILE_BYTES);
    const set = parseCifarBatch(bytes, 'test_batch.bin');
    expect(set.count).toBe(10_000);
    expect([set.height, set.width, set.channels]).toEqual([32, 32, 3]);
    expect(Array.from(set.labels.subarray(0, 5))).toEqual([3, 8, 8, 0, 6]);
    expect(Array.from(set.labels.subarray(0, 5), (l) => CIFAR10_CLASS_NAMES[l])).toEqual(['cat', 'ship', 'ship', 'airplane', 'frog']);
    const counts = new Array(10).fill(0);
    for (const l of set.labels) counts[l]++;
    expect(counts).toEqual(new Array(10).fill(1000));
  });

  it('interleaves the R, G, B planes into HWC', () => {
    const set = parseCifarBatch(bytes, 'test_batch.bin');
    for (const [img, y, x] of [[0, 0, 0], [1, 5, 17], [4, 31, 31], [9999, 12, 3]]) {
      const rec = img * 3073 + 1, p = y * 32 + x, o = img * 3072 + p * 3;
      expect([set.images[o], set.images[o + 1], set.images[o + 2]]).toEqual([bytes[rec + p], bytes[rec + 1024 + p], bytes[rec + 2048 + p]]);
    }
  });

  it('encode(parse(file)) reproduces the file bit for bit', () => {
    const set = parseCifarBatch(bytes, 'test_batch.bin');
    const again = encodeCifarBatch(set);
    expect(again.length).toBe(bytes.length);
    expect(Buffer.compare(Buffer.from(again), Buffer.from(bytes))).toBe(0);
  });
});

describe('CIFAR-10 parser validation', () => {
  it('round-trips a small synthetic batch (parse(encode(set)) === set)', () => {
    const set = parseCifarBatch(fakeBatch(7, 3), 'x.bin');
    const back = parseCifarBatch(encodeCifarBatch(set), 'x.bin');
    expect(back.labels).toEqual(set.labels);
    expect(back.images).toEqual(set.images);
  });

  it('rejects sizes that are not a positive multiple of 3073, naming the file', () => {
    expect(() => parseCifarBatch(new Uint8Array(0), 'data_batch_2.bin')).toThrow(/data_batch_2\.bin: 0 bytes is not a positive multiple of the 3073-byte/);
    expect(() => parseCifarBatch(fakeBatch(2).subarray(0, 6000), 'test_batch.bin')).toThrow(/test_batch\.bin: 6,000 bytes .*30,730,000/);
  });

  it('rejects labels outside 0..9, naming the file and record', () => {
    const b = fakeBatch(3);
    b[2 * 3073] = 10;
    expect(() => parseCifarBatch(b, 'data_batch_4.bin')).toThrow('data_batch_4.bin: record 2 has label 10, expected 0..9');
  });

  it('checks the exact expected size when asked', () => {
    expect(checkCifarBatch(fakeBatch(2), 'a.bin', 2 * 3073)).toBeNull();
    expect(checkCifarBatch(fakeBatch(2), 'a.bin', CIFAR10_FILE_BYTES)).toMatch(/a\.bin: 6,146 bytes, expected 30,730,000 .*\(truncated\?\)/);
  });
});

describe('assembleCifar10', () => {
  const files = new Map<string, Uint8Array>();
  CIFAR10_FILES.train.forEach((n, i) => files.set(n, fakeBatch(4, i)));
  files.set('test_batch.bin', fakeBatch(3, 9));

  it('concatenates the train batches in order and keeps the test batch apart', () => {
    const ds = assembleCifar10(files);
    expect(ds.name).toBe('cifar10');
    expect(ds.label).toBe('CIFAR-10');
    expect(ds.classNames).toEqual(CIFAR10_CLASS_NAMES);
    expect(ds.train.count).toBe(20);
    expect(ds.test.count).toBe(3);
    const second = parseCifarBatch(files.get('data_batch_2.bin')!, 'b');
    expect(sliceImageSet(ds.train, 4, 4).images).toEqual(second.images);
    expect(Array.from(ds.train.labels.subarray(4, 8))).toEqual(Array.from(second.labels));
  });

  it('applies limits, needing only the files the limits reach', () => {
    const few = new Map([['data_batch_1.bin', files.get('data_batch_1.bin')!], ['test_batch.bin', files.get('test_batch.bin')!]]);
    const ds = assembleCifar10(few, { trainLimit: 3, testLimit: 2 });
    expect(ds.train.count).toBe(3);
    expect(ds.test.count).toBe(2);
    expect(ds.train.images).toEqual(parseCifarBatch(files.get('data_batch_1.bin')!, 'b').images.subarray(0, 3 * 3072));
    expect(() => assembleCifar10(few, { trainLimit: 6 })).toThrow('CIFAR-10: missing file data_batch_2.bin');
    expect(cifarFilesNeeded('train', 10_000)).toEqual(['data_batch_1.bin']);
    expect(cifarFilesNeeded('train', 10_001)).toEqual(['data_batch_1.bin', 'data_batch_2.bin']);
    expect(cifarFilesNeeded('train')).toHaveLength(5);
  });

  it('concatImageSets respects a limit', () => {
    const a = parseCifarBatch(fakeBatch(2, 1), 'a'), b = parseCifarBatch(fakeBatch(2, 2), 'b');
    const c = concatImageSets([a, b], 3);
    expect(c.count).toBe(3);
    expect(Array.from(c.labels)).toEqual([...a.labels, b.labels[0]]);
  });
});
