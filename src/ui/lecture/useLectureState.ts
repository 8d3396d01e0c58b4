/**
 * The lecture view state, kept in the URL hash: read before the first render, written back
 * (history.replaceState, debounced) on change, re-read on `hashchange`.
 */
import { useCallback, useEffect, useRef, useState, type SetStateAction } from 'react';
import type { TrainSettings } from '../../protocol/api';
import { findPreset } from './presets';
import { parseView, serializeView } from './urlRegistry';
import { withOpenPanels, withoutReloadState, withRun, type OpenPanelId, type ThemeName, type ViewState } from './viewState';

const WRITE_DELAY_MS = 250;

/** Lecture state and its setters. */
export interface LectureState {
  readonly view: ViewState;
  readonly settings: TrainSettings;
  /** Like React's setState (a value or an updater). */
  readonly setSettings: (s: SetStateAction<TrainSettings>) => void;
  readonly setTheme: (t: ThemeName) => void;
  readonly setHidden: (ids: readonly string[]) => void;
  /** Turns the preset's stage on or off (ViewState.stage). */
  readonly setStage: (on: boolean) => void;
  /** Applies every control of a preset (null: keep the controls, forget the preset). */
  readonly applyPreset: (id: string | null) => void;
  /** Notes about a link that could not be read entirely (empty when clean). */
  readonly notices: readonly string[];
  readonly dismissNotices: () => void;
  /** The full URL of the current view (what Share copies), without the reload state (current run, open drawers). */
  readonly shareUrl: (override?: Partial<ViewState>) => string;
  /** Names the current run in the hash (null: none), so that a reload restores it. */
  readonly setRun: (id: string | null) => void;
  /** Records a drawer / panel as open or closed in the hash. */
  readonly setPanelOpen: (id: OpenPanelId, open: boolean) => void;
}

const hashOf = (view: ViewState) => `#${serializeView(view)}`;
const baseUrl = () => `${location.origin}${location.pathname}${location.search}`;

/** Reads the hash at start, keeps it in sync with the view, and follows `hashchange`. */
export function useLectureState(defaults: TrainSettings): LectureState {
  const [initial] = useState(() => parseView(location.hash, defaults));
  const [view, setView] = useState<ViewState>(initial.state);
  const [notices, setNotices] = useState<readonly string[]>(initial.notices);
  const written = useRef<string | null>(null);

  useEffect(() => {
    const timer = setTimeout(() => {
      const hash = hashOf(view);
      if (location.hash !== hash) {
        written.current = hash;
        history.replaceState(history.state, '', hash);
      }
    }, WRITE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [view]);

  useEffect(() => {
    const onHash = () => {
      if (location.hash === written.current) return;
      const r = parseView(location.hash, defaults);
      // The worker still holds the current run: a link without `run` keeps naming it.
      setView((prev) => (r.state.run === undefined && prev.run !== undefined ? withRun(r.state, prev.run) : r.state));
      setNotices(r.notices);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [defaults]);

  const onStage = Boolean(view.stage && findPreset(view.preset));
  useEffect(() => {
    const root = document.documentElement.dataset;
    root.theme = view.theme;
    if (view.focus) root.focus = view.focus;
    else delete root.focus;
    // stage.css scales the root font size to the screen while a stage is on.
    if (onStage) root.stage = '';
    else delete root.stage;
  }, [view.theme, view.focus, onStage]);

  // A preset chosen in the picker brings its panel into view (on a projector the page is long),
  // once the render that applied its theme and settings is on the page.
  const scrollToPanel = useRef<string | null>(null);
  useEffect(() => {
    const panel = scrollToPanel.current;
    if (panel === null) return;
    scrollToPanel.current = null;
    document.querySelector(`section[aria-labelledby='${panel}-title']`)?.scrollIntoView({ block: 'start' });
  }, [view]);

  const setSettings = useCallback((s: SetStateAction<TrainSettings>) => setView((v) => ({ ...v, settings: typeof s === 'function' ? s(v.settings) : s })), []);
  const setTheme = useCallback((theme: ThemeName) => setView((v) => ({ ...v, theme })), []);
  const setHidden = useCallback((hidden: readonly string[]) => setView((v) => ({ ...v, hidden: [...hidden].sort() })), []);
  const setStage = useCallback((on: boolean) => {
    setView(({ stage: _stage, ...v }) => (on ? { ...v, stage: true } : v));
    window.scrollTo?.(0, 0);
  }, []);
  const applyPreset = useCallback((id: string | null) => {
    const p = findPreset(id);
    setView(({ stage, ...v }) => (p ? { ...v, preset: p.id, settings: p.settings, theme: p.theme, focus: p.focus, ...(stage ? { stage } : {}) } : { ...v, preset: null, focus: null }));
    // On the stage every panel of the preset is already on screen.
    scrollToPanel.current = p && !document.querySelector('.app[data-stage]') ? p.focus : null;
  }, []);
  const dismissNotices = useCallback(() => setNotices([]), []);
  const shareUrl = useCallback((override?: Partial<ViewState>) => `${baseUrl()}${hashOf(withoutReloadState({ ...view, ...override }))}`, [view]);
  const setRun = useCallback((id: string | null) => setView((v) => ((v.run ?? null) === id ? v : withRun(v, id))), []);
  const setPanelOpen = useCallback(
    (id: OpenPanelId, open: boolean) =>
      setView((v) => ((v.open ?? []).includes(id) === open ? v : withOpenPanels(v, open ? [...(v.open ?? []), id] : (v.open ?? []).filter((x) => x !== id)))),
    [],
  );

  return { view, settings: view.settings, setSettings, setTheme, setHidden, setStage, applyPreset, notices, dismissNotices, shareUrl, setRun, setPanelOpen };
}
