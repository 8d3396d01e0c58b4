/** The "?" overlay: the list of keyboard shortcuts, as a modal dialog (Esc or the button closes it). */
import { useEffect, useRef } from 'react';
import { SHORTCUTS } from './keys';

export function ShortcutHelp({ onClose }: { readonly onClose: () => void }) {
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    closeRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        onClose();
      } else if (e.key === 'Tab') {
        // one focusable element: keep the focus in the dialog
        e.preventDefault();
        closeRef.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      before?.focus?.();
    };
  }, [onClose]);
  return (
    <div className="shortcut-backdrop" onClick={onClose}>
      <div
        className="shortcut-help"
        role="dialog"
        aria-modal="true"
        aria-labelledby="shortcut-help-title"
        data-testid="shortcut-help"
        onClick={(e) => e.stopPropagation()}
      >
        <h2 id="shortcut-help-title">Keyboard shortcuts</h2>
        <dl>
          {SHORTCUTS.map((s) => (
            <div key={s.action} className="shortcut-row">
              <dt>
                <kbd>{s.label}</kbd>
              </dt>
              <dd>{s.description}</dd>
            </div>
          ))}
        </dl>
        <p className="muted small">Shortcuts are ignored while you type in a field. Esc closes this list.</p>
        <button type="button" ref={closeRef} onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  );
}
