/** Keyboard shortcuts of the lab (space, s, c, ?) and their help overlay. */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { TrainSettings } from '../../protocol/api';
import type { TrainingState } from '../training/useTraining';
import { validateSettings } from '../training/TrainingForm';
import { ShortcutHelp } from './ShortcutHelp';
import { runShortcut, type ShortcutHandlers } from './keys';

interface SessionShortcutsProps {
  readonly training: TrainingState;
  readonly settings: TrainSettings;
  /** Backend and data are ready (the Start button's condition). */
  readonly ready: boolean;
  /** Opens or closes compare mode (the `c` shortcut). */
  readonly onToggleCompare: () => void;
}

/** Listens on window for the shortcuts; renders the help overlay when open. */
export function SessionShortcuts({ training, settings, ready, onToggleCompare }: SessionShortcutsProps) {
  const [help, setHelp] = useState(false);
  // The latest props, read by the one window listener.
  const latest = useRef({ training, settings, ready, help, onToggleCompare });
  useEffect(() => {
    latest.current = { training, settings, ready, help, onToggleCompare };
  });

  const handlers: ShortcutHandlers = useMemo(
    () => ({
      'start-pause': () => {
        const { training: t, settings: s, ready: r } = latest.current;
        if (t.state === 'running') t.pause();
        else if (t.state === 'paused') t.resume();
        else if (r && validateSettings(s) === null) t.start(s);
      },
      step: () => latest.current.training.step(),
      compare: () => latest.current.onToggleCompare(),
      help: () => setHelp((h) => !h),
    }),
    [],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // while the help is open only "?" (toggle) works; Esc is the dialog's own
      if (runShortcut(e, handlers, latest.current.help)) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [handlers]);

  const close = useCallback(() => setHelp(false), []);
  return help ? <ShortcutHelp onClose={close} /> : null;
}
