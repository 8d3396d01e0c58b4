/** The σ slider per replica mode: its unit, range and the value a mode switch starts from. */
export const SIGMA_RANGE = {
  gaussian: { unit: 'weight units', max: 0.1, step: 0.001, fallback: 0.01, tip: 'Standard deviation of the Gaussian noise added to the key weights in each replica.' },
  relative: { unit: '× |w|', max: 2, step: 0.05, fallback: 0.5, tip: 'Noise on each key weight as a fraction of its magnitude (σ·|w|·N(0, 1)); replicas come in antithetic pairs (ε, −ε).' },
  flip: { unit: 'of the marks', max: 1, step: 0.05, fallback: 0.5, tip: 'Fraction of the marked weights whose sign each replica flips: what an eraser does.' },
} as const;

/** The λ slider per balance (what λ scales: the Watermark panel's `balance`): its unit and tooltip. */
export const LAMBDA_SCALE = {
  loss: { unit: '× replica term', tip: 'Weight of the replica term: how hard training pushes the loss up around the key weights.' },
  gradient: {
    unit: '× task gradient',
    tip: "Size of the replicas' push on the other weights, as a multiple of the task gradient's size (each step, until the replicas' loss gap passes the margin).",
  },
} as const;
