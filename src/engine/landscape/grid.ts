/** n evenly spaced values over [−r, r] (n = 1 gives [0]); for odd n the middle one is exactly 0. */
export function symmetricGrid(radius: number, n: number): number[] {
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`grid size must be a positive integer, got ${n}`);
  if (n === 1) return [0];
  const mid = (n - 1) / 2;
  return Array.from({ length: n }, (_, i) => (i === mid ? 0 : (radius * (i - mid)) / mid));
}

/**
 * Refinement level of every index of an n-point axis: level 0 holds the coarsest subgrid
 * (every step-th index from the centre outwards, plus both ends), each next level halves the
 * step. Coarse-to-fine evaluation = increasing level.
 */
export function refinementLevels(n: number): Int32Array {
  const levels = new Int32Array(n).fill(-1);
  if (n === 0) return levels;
  const centre = Math.floor((n - 1) / 2);
  let step = 1;
  while (step * 2 <= Math.max(1, centre)) step *= 2;
  let level = 0;
  for (; step >= 1; step = Math.floor(step / 2), level++) {
    for (let i = 0; i < n; i++) if (levels[i] < 0 && (i - centre) % step === 0) levels[i] = level;
    if (level === 0) {
      levels[0] = 0;
      levels[n - 1] = 0;
    }
    if (step === 1) break;
  }
  return levels;
}

/** Indices of a 1-D axis, coarse first (stable by index within a level). */
export function refinementOrder1D(n: number): number[] {
  const lv = refinementLevels(n);
  return Array.from({ length: n }, (_, i) => i).sort((a, b) => lv[a] - lv[b] || a - b);
}

/** Cells (i, j) of an nx × ny grid, coarse first: a cell's level is the max of its axes' levels. */
export function refinementOrder2D(nx: number, ny: number): [number, number][] {
  const lx = refinementLevels(nx), ly = refinementLevels(ny);
  const cells: [number, number][] = [];
  for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) cells.push([i, j]);
  const level = ([i, j]: [number, number]) => Math.max(lx[i], ly[j]);
  return cells.sort((a, b) => level(a) - level(b) || a[1] - b[1] || a[0] - b[0]);
}
