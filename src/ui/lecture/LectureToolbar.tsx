/** Header controls of lecture mode: preset picker, theme, Share, classroom link builder. */
import './themes.css';
import './lecture.css';
import './stage.css';
import { useState } from 'react';
import { ClassroomDialog } from './ClassroomDialog';
import { PRESETS } from './presets';
import { ShareButton } from './ShareButton';
import type { LectureState } from './useLectureState';
import { THEMES, type ThemeName } from './viewState';

const THEME_LABELS: Record<ThemeName, string> = { light: 'light', dark: 'dark', projector: 'projector (large, high contrast)' };

/** Preset and theme selects, Share and "Classroom link…" buttons. */
export function LectureToolbar({ lecture, locked }: { readonly lecture: LectureState; readonly locked: boolean }) {
  const [classroomOpen, setClassroomOpen] = useState(false);
  const { view } = lecture;
  return (
    <div className="lecture-toolbar" role="group" aria-label="Lecture mode">
      <div className="status-item">
        <label className="status-label" htmlFor="preset-select">
          Preset
        </label>
        <select
          id="preset-select"
          value={view.preset ?? ''}
          disabled={locked}
          title={locked ? 'Wait for the training run to finish' : 'Set every control for a lecture scenario'}
          onChange={(e) => lecture.applyPreset(e.target.value || null)}
        >
          <option value="">none</option>
          {PRESETS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.title}
            </option>
          ))}
        </select>
      </div>
      <div className="status-item">
        <label className="status-label" htmlFor="theme-select">
          Theme
        </label>
        <select id="theme-select" value={view.theme} onChange={(e) => lecture.setTheme(e.target.value as ThemeName)}>
          {THEMES.map((t) => (
            <option key={t} value={t}>
              {THEME_LABELS[t]}
            </option>
          ))}
        </select>
      </div>
      <button
        type="button"
        className="stage-toggle"
        aria-pressed={Boolean(view.stage && view.preset)}
        disabled={!view.preset}
        title={view.preset ? "Only this preset's panels, side by side on one screen" : 'Choose a preset first: each preset has its own stage'}
        onClick={() => lecture.setStage(!view.stage)}
        data-testid="stage-toggle"
      >
        Stage
      </button>
      <ShareButton getUrl={() => lecture.shareUrl()} />
      <button type="button" onClick={() => setClassroomOpen(true)} data-testid="classroom-button">
        Classroom link…
      </button>
      <ClassroomDialog
        open={classroomOpen}
        hidden={view.hidden}
        linkFor={(hidden) => lecture.shareUrl({ hidden: [...hidden].sort() })}
        onApply={(hidden) => {
          lecture.setHidden(hidden);
          setClassroomOpen(false);
        }}
        onClose={() => setClassroomOpen(false)}
      />
    </div>
  );
}
