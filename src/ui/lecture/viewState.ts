/** The lecture-mode view state: everything a link reproduces (training settings, theme, preset, hidden controls, focused panel). */
import type { TrainSettings } from '../../workers/api';

export const THEMES = ['light', 'dark', 'projector'] as const;
export type ThemeName = (typeof THEMES)[number];

/** Panels a preset can point the audience to (their section is labelled by `<id>-title`). */
export const PANELS = ['dataset', 'training', 'watermark', 'attack', 'landscape', 'verify'] as const;
export type PanelId = (typeof PANELS)[number];

/** One shareable view of the lab. */
export interface ViewState {
  /** Training settings, watermark configuration included. */
  readonly settings: TrainSettings;
  readonly theme: ThemeName;
  /** Preset the view started from (its explanation card is shown), or null. */
  readonly preset: string | null;
  /** Control ids hidden by a classroom link (sorted, unique). */
  readonly hidden: readonly string[];
  /** Panel highlighted for the audience, or null. */
  readonly focus: PanelId | null;
}

/** The view of a plain visit: the given settings, light theme, nothing hidden. */
export function defaultView(settings: TrainSettings): ViewState {
  return { settings, theme: 'light', preset: null, hidden: [], focus: null };
}
