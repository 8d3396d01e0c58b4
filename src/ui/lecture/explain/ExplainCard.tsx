/** Short "how it works" cards beside the panels: the formula (KaTeX) and a few plain sentences. */
import type { ReactNode } from 'react';
import { Tex } from './Tex';
import { Term } from './Term';
import { TEX_KEY_VS_CONTROL, TEX_WATERMAS, TEX_HINGE, TEX_PVALUE, TEX_UCHIDA, TEX_FCW, TEX_NOISE, TEX_SHARPNESS } from './formulas';

export type ExplainTopic = 'watermark' | 'attack' | 'landscape' | 'verify';

/** The watermark card of the other methods (Uchida, FCW). */
const METHOD_CONTENT: Readonly<Record<string, { readonly title: string; readonly body: ReactNode }>> = {
  uchida: {
    title: 'How the Uchida baseline marks a model',
    body: (
      <>
        <p>
          A secret matrix X (the <Term id="key">key</Term>, X<sub>ij</sub> ~ N(0, 1)) projects w, the mean of one conv kernel over its outputs; training adds a
          penalty until the projections carry the bits b:
        </p>
        <Tex display tex={TEX_UCHIDA} label="Uchida objective" />
        <p>Nothing is frozen: fine-tuning can wash the mark out, which the attacks show.</p>
      </>
    ),
  },
  fcw: {
    title: 'How FCW marks a model (black-box)',
    body: (
      <>
        <p>
          Trigger images (two training images fused) are trained to land on a target class. Verification only queries the model: h of the n triggers hit the
          target, tested against the chance rate c of an unrelated model:
        </p>
        <Tex display tex={TEX_FCW} label="FCW p-value" />
        <p>
          No weights are read, so no <Term id="key">key</Term> positions exist; the <Term id="p-value">p-value</Term> is the evidence.
        </p>
      </>
    ),
  },
};

const CONTENT: Record<ExplainTopic, { readonly title: string; readonly body: ReactNode }> = {
  watermark: {
    title: 'How WaterMAS marks a model',
    body: (
      <>
        <p>
          The payload bits are written into the signs of secret <Term id="key">key</Term> weights θ<sub>K</sub>, which then stay frozen. Training only moves the
          other weights, minimising
        </p>
        <Tex display tex={TEX_WATERMAS} label="WaterMAS objective" />
        <p>
          Each <Term id="replica">replica</Term> nudges the key weights by ε<sub>r</sub> (absolute noise σ as in 2020; the replica mode also offers noise in
          proportion to each mark in ± pairs, and sign flips). Pushing the replicas&apos; loss up is meant to make the landscape around the mark sharp. With the
          hinge margin on, the replica term becomes
        </p>
        <Tex display tex={TEX_HINGE} label="hinge form of the replica term" />
        <p>so a large λ cannot make training diverge. R = 0 is plain substitution, the control.</p>
      </>
    ),
  },
  attack: {
    title: 'What an attack has to achieve',
    body: (
      <>
        <p>
          An attacker changes the weights without the key, e.g. Gaussian noise of Ω standard deviations per tensor,
        </p>
        <Tex display tex={TEX_NOISE} label="Gaussian noise attack" />
        <p>
          or pruning, quantisation, fine-tuning. It wins only if the <Term id="ber">BER</Term> rises until the mark is no longer detected while the accuracy
          dropped by less than 5 points. The <Term id="sharpness">sharpness</Term> around the key is what makes that hard.
        </p>
      </>
    ),
  },
  landscape: {
    title: 'Reading the landscape',
    body: (
      <>
        <p>
          The loss along a random direction d<sub>K</sub> on the key weights is compared with a direction d<sub>¬K</sub> on all the others. The{' '}
          <Term id="sharpness">sharpness</Term> numbers are the two-sided rises at radius r and their ratio:
        </p>
        <Tex display tex={TEX_SHARPNESS} label="loss rise and sharpness ratio" />
        <p>
          That ratio divides by the whole rest of the network: it tracks how well the model trained, not the mark. What shows the mark is the loss rise when the
          key weights move by a fraction α of themselves, against <em>matched controls</em> (as many unmarked weights of the same layers and magnitudes), and
          against the same model trained with R = 0 (same key, start and data):
        </p>
        <Tex display tex={TEX_KEY_VS_CONTROL} label="key rise against matched controls and the paired gain" />
        <p>
          Measured on CIFAR-10 (docs/experiments/sharpness.md, 3 seeds), no replica recipe tried yet makes the key reliably sharper than in its R = 0 twin:
          the gains stay within the seed-to-seed spread, the rises are 10<sup>−4</sup>–10<sup>−3</sup> nats, and flipping half of the marks costs about a
          point of accuracy in marked models. The shipped demo pair (82 % on CIFAR-10, R = 2 against its R = 0 twin) gives a paired gain of 0.94 and loses no
          accuracy when half of its marks are flipped. Read the paired numbers as a test of the claim, not as its illustration.
        </p>
      </>
    ),
  },
  verify: {
    title: 'When is a mark “present”?',
    body: (
      <>
        <p>
          Read the key weights, decode the bits, and count the e errors among n bits (<Term id="ber">BER</Term>). An unrelated model agrees with each bit by
          chance, so the <Term id="p-value">p-value</Term> is a binomial tail:
        </p>
        <Tex display tex={TEX_PVALUE} label="p-value of the watermark" />
        <p>
          The verdict is “watermark present” when p &lt; 10<sup>−6</sup>: with 256 bits that still allows 89 errors (BER ≈ 0.35).
        </p>
        <p>
          “By chance” means ½ only if an unmarked weight is as often positive as negative. Trained weights lean to one sign (unmarked CNN kernels are
          40–46 % positive) and a text payload is unbalanced (“@” is 01000000), so an unrelated model can agree with far more than half of the bits. The lab
          therefore gives each bit its own chance of a match, from the share of positive weights among the unmarked weights of its tensor, and adds them up
          exactly (a Poisson-binomial tail). With balanced signs this is the binomial tail above.
        </p>
      </>
    ),
  },
};

/** A collapsible explanation card for one panel (the watermark card follows the picked method). */
export function ExplainCard({ topic, method }: { readonly topic: ExplainTopic; readonly method?: string }) {
  const c = (topic === 'watermark' && method && METHOD_CONTENT[method]) || CONTENT[topic];
  return (
    <details className="explain-card" data-testid={`explain-${topic}`}>
      <summary>{c.title}</summary>
      <div className="explain-body">{c.body}</div>
    </details>
  );
}
