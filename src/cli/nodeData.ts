import { existsSync } from 'node:fs';
import { loadCifar10 } from '../engine/data/sources';
import { generateSynthetic } from '../engine/data/synthetic';
import type { Dataset } from '../engine/data/types';
import { UsageError } from './args';
import { nodeDataFs } from './nodeFs';

export interface DataRequest {
  /** A folder with the CIFAR-10 binary files, or the word `synthetic`. */
  readonly data: string;
  readonly trainLimit?: number;
  readonly testLimit?: number;
}

/**
 * The synthetic set the CLI uses: fixed data seed (the same images in every command, and the
 * browser lab's seed), default sizes when no limit is given (our choice: quick on a CPU).
 * Limits take prefixes, so --train-limit/--test-limit select the same images everywhere.
 */
export const SYNTHETIC_DEFAULT = { seed: 0, train: 5000, test: 1000 };

/** The synthetic set, or CIFAR-10 from a folder (only the files the limits need are read and validated). */
export async function loadDataset(req: DataRequest): Promise<Dataset> {
  if (req.data === 'synthetic') {
    return generateSynthetic({
      seed: SYNTHETIC_DEFAULT.seed,
      trainCount: req.trainLimit ?? SYNTHETIC_DEFAULT.train,
      testCount: req.testLimit ?? SYNTHETIC_DEFAULT.test,
    });
  }
  if (!existsSync(req.data)) throw new UsageError(`--data ${req.data}: no such folder (give a CIFAR-10 binary folder or "synthetic")`);
  return loadCifar10(nodeDataFs, req.data, { trainLimit: req.trainLimit, testLimit: req.testLimit });
}
