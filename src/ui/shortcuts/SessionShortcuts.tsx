/** Keyboard shortcuts of the lab (space, s, c, ?) and their help overlay. */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { TrainSettings } from '../../protocol/api';
import type { TrainingState } from '../training/useTraining';
import { validateSettings } from '../training/TrainingForm';
import { ShortcutHelp } from './ShortcutHelp';
import { TOGGLE_COMPARE_EVENT, shortcutFor, type ShortcutAction } from './keys';

interface SessionShortcutsProps {
  readonly training: TrainingState;
  readonly settings: TrainSettings;
  /** Backend and data are ready (the Start button's condition). */
  readonly ready: boolean;
}

/** Listens on window for the shortcuts; renders the help overlay when open. */
export function SessionShortcuts({ training, settings, ready }: SessionShortcutsProps) {
  const [help, setHelp] = useState(false);
  // The latest props, read by the one window listener.
  const latest = useRef({ training, settings, ready, help });
  useEffect(() => {
    latest.current = { training, settings, ready, help };
  });

  const run = useCallback((action: ShortcutAction) => {
    const { training: t, settings: s, ready: r } = latest.current;
    switch (action) {
      case 'start-pause':
        if (t.state === 'running') t.pause();
        else if (t.state === 'paused') t.resume();
        else if (r && validateSettings(s) === null) t.start(s);
        break;
      case 'step':
        t.step();
        break;
      case 'compare':
        window.dispatchEvent(new CustomEvent(TOGGLE_COMPARE_EVENT));
        break;
      case 'help':
        setHelp((h) => !h);
        break;
    }
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const action = shortcutFor(e);
      if (!action) return;
      // while the help is open only "?" (toggle) works; Esc is the dialog's own
      if (latest.current.help && action !== 'help') return;
      e.preventDefault();
      run(action);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [run]);

  const close = useCallback(() => setHelp(false), []);
  return help ? <ShortcutHelp onClose={close} /> : null;
}
