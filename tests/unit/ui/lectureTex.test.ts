import { describe, expect, it } from 'vitest';
import katex from 'katex';
import * as cards from '../../../src/ui/lecture/explain/formulas';
import { GLOSSARY } from '../../../src/ui/lecture/explain/glossary';

describe('lecture explanation cards', () => {
  const formulas = Object.entries(cards).filter(([name, v]) => name.startsWith('TEX_') && typeof v === 'string') as [string, string][];

  it('has the objective and p-value formulas, and every one typesets without a KaTeX error', () => {
    expect(formulas.map(([n]) => n)).toEqual(expect.arrayContaining(['TEX_WATERMAS', 'TEX_HINGE', 'TEX_PVALUE', 'TEX_UCHIDA', 'TEX_FCW']));
    for (const [name, tex] of formulas) {
      const html = katex.renderToString(tex, { throwOnError: true, displayMode: true, output: 'htmlAndMathml' });
      expect(html, name).toContain('<math');
      expect(html, name).not.toContain('katex-error');
    }
  });

  it('explains the vocabulary the issue names', () => {
    for (const id of ['ber', 'key', 'replica', 'sharpness', 'p-value'] as const) expect(GLOSSARY[id].definition.length).toBeGreaterThan(40);
  });
});
