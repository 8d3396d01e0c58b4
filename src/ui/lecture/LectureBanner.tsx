/** Under the header: link notices, the classroom-link note, and the current preset's explanation card. */
import { useState } from 'react';
import { useOnStage } from './LectureContext';
import { HIDEABLE_CONTROLS } from './controls';
import { findPreset } from './presets';
import type { LectureState } from './useLectureState';

const PANEL_NAMES: Record<string, string> = {
  dataset: 'Dataset',
  training: 'Training',
  watermark: 'Watermark',
  attack: 'Attack',
  landscape: 'Landscape',
  verify: 'Verify',
};

/** Scrolls to a panel and moves the keyboard focus to its heading. */
function goToPanel(id: string) {
  const heading = document.getElementById(`${id}-title`);
  if (!heading) return;
  heading.closest('section')?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  heading.setAttribute('tabindex', '-1');
  heading.focus({ preventScroll: true });
}

/** Non-blocking notes about the link and the preset card (each dismissible). */
export function LectureBanner({ lecture }: { readonly lecture: LectureState }) {
  const { view, notices } = lecture;
  const [dismissedPreset, setDismissedPreset] = useState<string | null>(null);
  const onStage = useOnStage();
  const preset = findPreset(view.preset);
  const hiddenLabels = HIDEABLE_CONTROLS.filter((c) => view.hidden.includes(c.id)).map((c) => c.label);
  if (notices.length === 0 && hiddenLabels.length === 0 && (!preset || (!onStage && dismissedPreset === preset.id))) return null;
  return (
    <div className="lecture-banner">
      {notices.length > 0 && (
        <div className="lecture-notice" role="status" data-testid="link-notice">
          <ul>
            {notices.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
          <button type="button" className="link-button" onClick={lecture.dismissNotices}>
            Dismiss
          </button>
        </div>
      )}
      {hiddenLabels.length > 0 && (
        <p className="lecture-hidden-note muted small" data-testid="hidden-note">
          This classroom link hides {hiddenLabels.length} control{hiddenLabels.length > 1 ? 's' : ''} ({hiddenLabels.join(', ')}); they keep the link&apos;s values.{' '}
          <button type="button" className="link-button" onClick={() => lecture.setHidden([])}>
            Show them
          </button>
        </p>
      )}
      {preset && onStage && (
        // On the stage the card is one line: its text opens on demand, the panels keep the screen.
        <details className="preset-card preset-card-stage" data-testid="preset-card" data-preset={preset.id}>
          <summary>
            <strong>{preset.title}</strong> <span className="muted">— what to do and watch</span>
          </summary>
          <p>{preset.text}</p>
        </details>
      )}
      {preset && !onStage && dismissedPreset !== preset.id && (
        <aside className="preset-card" aria-labelledby="preset-card-title" data-testid="preset-card" data-preset={preset.id}>
          <div className="preset-card-text">
            <h2 id="preset-card-title">{preset.title}</h2>
            <p>{preset.text}</p>
          </div>
          <div className="preset-card-actions">
            <button type="button" className="primary" onClick={() => lecture.setStage(true)} data-testid="show-stage">
              Show the stage
            </button>
            <button type="button" onClick={() => goToPanel(preset.focus)}>
              Go to the {PANEL_NAMES[preset.focus]} panel
            </button>
            <button type="button" className="link-button" aria-label="Dismiss the preset card" onClick={() => setDismissedPreset(preset.id)}>
              Dismiss
            </button>
          </div>
        </aside>
      )}
    </div>
  );
}
