/** A formula typeset by KaTeX (HTML for the eye, MathML for screen readers). */
import { useMemo } from 'react';
import katex from 'katex';
import 'katex/dist/katex.min.css';

/**
 * Renders TeX to a span (display = its own line). The TeX strings are the lab's constants.
 * A display formula may be wider than a narrow panel: it then scrolls sideways, so it is
 * keyboard-focusable (a named group) for keyboard users to scroll it.
 */
export function Tex({ tex, display = false, label }: { readonly tex: string; readonly display?: boolean; readonly label?: string }) {
  const html = useMemo(() => katex.renderToString(tex, { displayMode: display, throwOnError: false, output: 'htmlAndMathml' }), [tex, display]);
  return display ? (
    <span className="tex tex-display" data-testid="tex" role="group" aria-label={label} tabIndex={0} dangerouslySetInnerHTML={{ __html: html }} />
  ) : (
    <span className="tex" data-testid="tex" dangerouslySetInnerHTML={{ __html: html }} />
  );
}
