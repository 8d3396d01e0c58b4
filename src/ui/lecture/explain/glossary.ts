/** Vocabulary of the lab, as the tooltips of <Term> explain it (one or two plain sentences each). */
export const GLOSSARY = {
  ber: {
    term: 'BER',
    definition: 'Bit error rate: the fraction of watermark bits read back wrong. 0 = the mark is intact; 0.5 = no better than coin flips.',
  },
  key: {
    term: 'key',
    definition: 'The secret list of weight positions (tensor + index) that carry the mark, plus the payload. Without it nobody can find or check the mark.',
  },
  replica: {
    term: 'replica',
    definition: 'A copy of the model whose key weights get a small random (or worst-case) nudge during training; WaterMAS pushes the loss of the replicas up.',
  },
  sharpness: {
    term: 'sharpness',
    definition: 'How fast the loss rises when the weights move a little. WaterMAS aims for a sharp key subspace, so that changing the marked weights costs accuracy; the lab measures it against matched control weights and an R = 0 twin.',
  },
  'p-value': {
    term: 'p-value',
    definition: 'The chance that an unrelated model matches the key at least this well by luck. Tiny (below 10⁻⁶) = the mark is really there.',
  },
} as const satisfies Record<string, { readonly term: string; readonly definition: string }>;

export type GlossaryId = keyof typeof GLOSSARY;
