/**
 * ln P[Z ≥ z] for a standard normal Z, finite for any z (no underflow), via
 * erfc(x) = t·exp(−x² + poly(t)), t = 1/(1 + x/2) (Numerical Recipes' erfcc, relative error
 * below 1.2e-7 everywhere), so that the logarithm never goes through a denormal.
 */
export function logNormalUpperTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const poly =
    -1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const logErfc = Math.log(t) - x * x + poly; // ln erfc(x), x >= 0
  const logUpper = Math.log(0.5) + logErfc; // ln P[Z >= |z|]
  return z >= 0 ? logUpper : Math.log1p(-Math.exp(logUpper));
}

/**
 * One-sided p-value of a Pearson correlation r over n pairs against "no correlation",
 * with Fisher's z transform: z = atanh(r)·√(n − 3), p = P[Z ≥ z]. Returns ln p.
 */
export function logCorrelationPValue(r: number, n: number): number {
  if (n <= 3) return 0;
  const rc = Math.min(Math.max(r, -1 + 1e-15), 1 - 1e-15);
  return logNormalUpperTail(Math.atanh(rc) * Math.sqrt(n - 3));
}
