import type { ImageSet } from './types';

/** Concatenates image sets of the same geometry, keeping at most `limit` images. */
export function concatImageSets(sets: readonly ImageSet[], limit = Infinity): ImageSet {
  if (sets.length === 0) throw new Error('concatImageSets: no image sets given');
  const { height, width, channels } = sets[0];
  const per = height * width * channels;
  const total = Math.min(limit, sets.reduce((s, x) => s + x.count, 0));
  const images = new Uint8Array(total * per);
  const labels = new Uint8Array(total);
  let at = 0;
  for (const s of sets) {
    if (s.height !== height || s.width !== width || s.channels !== channels) {
      throw new Error('concatImageSets: image sets have different shapes');
    }
    const take = Math.min(s.count, total - at);
    if (take <= 0) break;
    images.set(s.images.subarray(0, take * per), at * per);
    labels.set(s.labels.subarray(0, take), at);
    at += take;
  }
  return { images, labels, count: total, height, width, channels };
}

/** A view of images [start, start + count) of a set (shares memory with the source). */
export function sliceImageSet(set: ImageSet, start: number, count: number): ImageSet {
  if (!(start >= 0 && count >= 0 && start + count <= set.count)) {
    throw new RangeError(`sliceImageSet: [${start}, ${start + count}) is outside 0..${set.count}`);
  }
  const per = set.height * set.width * set.channels;
  return {
    images: set.images.subarray(start * per, (start + count) * per),
    labels: set.labels.subarray(start, start + count),
    count,
    height: set.height,
    width: set.width,
    channels: set.channels,
  };
}

/** Number of images of each label 0..numClasses-1. */
export function classCounts(set: ImageSet, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < set.count; i++) counts[set.labels[i]]++;
  return counts;
}
