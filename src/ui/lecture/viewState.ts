/** The lecture-mode view state: everything a link reproduces (training settings, theme, preset, hidden controls, focused panel). */
import type { TrainSettings } from '../../protocol/api';

export const THEMES = ['light', 'dark', 'projector'] as const;
export type ThemeName = (typeof THEMES)[number];

/** Panels a preset can point the audience to (their section is labelled by `<id>-title`). */
export const PANELS = ['dataset', 'training', 'watermark', 'attack', 'landscape', 'verify'] as const;
export type PanelId = (typeof PANELS)[number];

/**
 * What a preset's stage shows side by side on one screen: compare mode (two twins on shared
 * charts) or panels. Everything else is out of the way while the stage is on.
 */
export const STAGE_SLOTS = ['compare', ...PANELS] as const;
export type StageSlot = (typeof STAGE_SLOTS)[number];

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
  /** The preset's stage is on (only its panels, side by side, no page scrolling); absent = off. */
  readonly stage?: boolean;
  /**
   * Reload state (absent = none): the current run's id (the Runs drawer's stored run whose model
   * the panels work on) and the open drawers. Not part of shared links: see `withoutReloadState`.
   */
  readonly run?: string;
  readonly open?: readonly OpenPanelId[];
}

/** Drawers / collapsible panels whose open state the hash keeps (sorted, unique in a view). */
export const OPENABLE_PANELS = ['runs'] as const;
export type OpenPanelId = (typeof OPENABLE_PANELS)[number];

/** The view with `run` set (a non-empty id) or removed (null). */
export function withRun(v: ViewState, id: string | null): ViewState {
  const { run: _run, ...rest } = v;
  return id ? { ...rest, run: id } : rest;
}

/** The view with exactly these panels open (sorted, unique; the key removed when none). */
export function withOpenPanels(v: ViewState, ids: readonly OpenPanelId[]): ViewState {
  const { open: _open, ...rest } = v;
  const open = [...new Set(ids)].sort();
  return open.length > 0 ? { ...rest, open } : rest;
}

/**
 * What a shared / classroom link carries (our choice): the view without its reload state, since
 * runs live in this browser's IndexedDB and mean nothing in another browser.
 */
export function withoutReloadState(v: ViewState): ViewState {
  return withOpenPanels(withRun(v, null), []);
}

/** The view of a plain visit: the given settings, light theme, nothing hidden. */
export function defaultView(settings: TrainSettings): ViewState {
  return { settings, theme: 'light', preset: null, hidden: [], focus: null };
}
