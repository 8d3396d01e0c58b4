/** Images are stored as uint8 HWC (interleaved RGB), row-major, N x 32 x 32 x 3. */
export interface ImageSet {
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

export type DatasetName = 'cifar10' | 'synthetic';

export interface Dataset {
  readonly name: DatasetName;
  /** Human label shown everywhere the data is shown, e.g. "CIFAR-10" or "synthetic (embedded default)". */
  readonly label: string;
  readonly classNames: readonly string[];
  readonly train: ImageSet;
  readonly test: ImageSet;
}

/** Per-channel normalisation constants (applied as (x/255 - mean) / std). */
export interface Normalization {
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}
