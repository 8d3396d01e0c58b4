/** The σ slider per replica mode: its unit, range and the value a mode switch starts from. */
export const SIGMA_RANGE = {
  gaussian: { unit: 'weight units', max: 0.1, step: 0.001, fallback: 0.01, tip: 'Standard deviation of the Gaussian noise added to the key weights in each replica.' },
  relative: { unit: '× |w|', max: 2, step: 0.05, fallback: 0.5, tip: 'Noise on each key weight as a fraction of its magnitude (σ·|w|·N(0, 1)); replicas come in antithetic pairs (ε, −ε).' },
  flip: { unit: 'of the marks', max: 1, step: 0.05, fallback: 0.5, tip: 'Fraction of the marked weights whose sign each replica flips: what an eraser does.' },
} as const;
