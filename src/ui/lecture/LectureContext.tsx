/** React contexts of lecture mode: controls hidden by a classroom link, and the theme (chart style). */
import { createContext, useContext, type ReactNode } from 'react';
import { HIDDEN_WITH } from './controls';
import type { ThemeName } from './viewState';

const NOTHING_HIDDEN: ReadonlySet<string> = new Set();

/** Control ids hidden by a classroom link (see controls.ts). */
export const HiddenControlsContext = createContext<ReadonlySet<string>>(NOTHING_HIDDEN);

/** True while a preset's stage is on: panels fit their share of one screen (charts fill their cells). */
export const StageContext = createContext<boolean>(false);

/** Whether the page shows a preset's stage (see ViewState.stage). */
export function useOnStage(): boolean {
  return useContext(StageContext);
}

/** The current theme (App provides it from the view state). */
export const ThemeContext = createContext<ThemeName>('light');

/** True when a classroom link hides the control with this id, or the one it follows (HIDDEN_WITH); the field then renders nothing. */
export function useIsHidden(id: string): boolean {
  const hidden = useContext(HiddenControlsContext);
  const follows = HIDDEN_WITH[id];
  return hidden.has(id) || (follows !== undefined && hidden.has(follows));
}

/** Renders its children unless a classroom link hides the control `id`. */
export function Hideable({ id, children }: { readonly id: string; readonly children: ReactNode }) {
  return useIsHidden(id) ? null : <>{children}</>;
}

/** Line and text sizes of the charts in a theme. */
export interface ChartStyle {
  readonly strokeWidth: number;
  readonly fontSize: number;
  /** Dot radius of line charts that show their points. */
  readonly dotRadius: number;
}

const CHART_STYLES: Record<ThemeName, ChartStyle> = {
  light: { strokeWidth: 2, fontSize: 12, dotRadius: 3 },
  dark: { strokeWidth: 2, fontSize: 12, dotRadius: 3 },
  // Projector: lines and labels readable from the back of a lecture hall.
  projector: { strokeWidth: 4, fontSize: 17, dotRadius: 5 },
};

/** Stroke width, font size and dot radius for the charts in the current theme. */
export function useChartStyle(): ChartStyle {
  return CHART_STYLES[useContext(ThemeContext)];
}
