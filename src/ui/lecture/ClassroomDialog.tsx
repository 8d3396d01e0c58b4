/** The classroom link builder: tick the controls to hide and get a link that hides them. */
import { useEffect, useRef, useState } from 'react';
import { HIDEABLE_CONTROLS } from './controls';

interface ClassroomDialogProps {
  readonly open: boolean;
  /** Controls hidden now (the dialog starts from them). */
  readonly hidden: readonly string[];
  /** The link of the current view with these controls hidden. */
  readonly linkFor: (hidden: readonly string[]) => string;
  /** Hides these controls in this tab too. */
  readonly onApply: (hidden: readonly string[]) => void;
  readonly onClose: () => void;
}

const GROUPS = [...new Set(HIDEABLE_CONTROLS.map((c) => c.group))];

/** A modal <dialog>: checkboxes per control, the resulting link, Copy / Apply here / Close. */
export function ClassroomDialog({ open, hidden, linkFor, onApply, onClose }: ClassroomDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const [chosen, setChosen] = useState<readonly string[]>(hidden);
  const [copied, setCopied] = useState(false);
  const [wasOpen, setWasOpen] = useState(open);
  if (wasOpen !== open) {
    // Each opening starts from the controls hidden now (state adjusted during render).
    setWasOpen(open);
    if (open) {
      setChosen(hidden);
      setCopied(false);
    }
  }

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);

  const link = linkFor(chosen);
  const toggle = (id: string, on: boolean) => setChosen((c) => (on ? [...c.filter((x) => x !== id), id] : c.filter((x) => x !== id)));
  const copy = () => {
    navigator.clipboard?.writeText(link).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };

  return (
    <dialog ref={ref} className="classroom-dialog" aria-labelledby="classroom-title" onClose={onClose} data-testid="classroom-dialog">
      <h2 id="classroom-title">Classroom link</h2>
      <p className="muted">
        Tick the controls the students should not see. The link keeps every current setting; the hidden controls keep their values.
      </p>
      <form method="dialog" className="classroom-form" onSubmit={(e) => e.preventDefault()}>
        {GROUPS.map((g) => (
          <fieldset key={g}>
            <legend>{g}</legend>
            {HIDEABLE_CONTROLS.filter((c) => c.group === g).map((c) => (
              <label key={c.id} className="classroom-option">
                <input type="checkbox" name="hide" value={c.id} aria-label={`Hide ${c.label}`} checked={chosen.includes(c.id)} onChange={(e) => toggle(c.id, e.target.checked)} />
                {c.label}
              </label>
            ))}
          </fieldset>
        ))}
        <div className="field field-wide">
          <label htmlFor="classroom-link">Link</label>
          <input id="classroom-link" type="text" readOnly value={link} onFocus={(e) => e.target.select()} data-testid="classroom-link" />
        </div>
        <div className="controls">
          <button type="button" className="primary" onClick={copy}>
            Copy link
          </button>
          <button type="button" onClick={() => onApply(chosen)}>
            Hide them here too
          </button>
          <button type="button" onClick={onClose}>
            Close
          </button>
          <span role="status" className="muted small">
            {copied ? 'Link copied' : ''}
          </span>
        </div>
      </form>
    </dialog>
  );
}
