/** A vocabulary word with an accessible tooltip (hover or keyboard focus shows it, Escape hides it). */
import { useId, useState, type ReactNode } from 'react';
import { GLOSSARY, type GlossaryId } from './glossary';

/** `<Term id="ber" />` renders "BER" with its definition as a tooltip (and as its accessible description). */
export function Term({ id, children }: { readonly id: GlossaryId; readonly children?: ReactNode }) {
  const [open, setOpen] = useState(false);
  const tipId = useId();
  const entry = GLOSSARY[id];
  return (
    <span className="term" onMouseEnter={() => setOpen(true)} onMouseLeave={() => setOpen(false)}>
      <abbr
        className="term-word"
        tabIndex={0}
        aria-describedby={tipId}
        data-term={id}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') setOpen(false);
        }}
      >
        {children ?? entry.term}
      </abbr>
      <span role="tooltip" id={tipId} className="term-tip" hidden={!open}>
        {entry.definition}
      </span>
    </span>
  );
}
