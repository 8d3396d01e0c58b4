/** Provides the lecture contexts (hidden controls, theme, stage) to the panels. */
import { useMemo, type ReactNode } from 'react';
import { HiddenControlsContext, StageContext, ThemeContext } from './LectureContext';
import { findPreset } from './presets';
import type { ViewState } from './viewState';

/** Wraps the app: fields read `useIsHidden(id)`, charts read `useChartStyle()`. */
export function LectureProviders({ view, children }: { readonly view: ViewState; readonly children: ReactNode }) {
  const hidden = useMemo<ReadonlySet<string>>(() => new Set(view.hidden), [view.hidden]);
  return (
    <ThemeContext.Provider value={view.theme}>
      <StageContext.Provider value={Boolean(view.stage && findPreset(view.preset))}>
        <HiddenControlsContext.Provider value={hidden}>{children}</HiddenControlsContext.Provider>
      </StageContext.Provider>
    </ThemeContext.Provider>
  );
}
