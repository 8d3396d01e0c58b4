/** The lab's keyboard shortcuts (one table: the handler and the help overlay read it). */

export type ShortcutAction = 'start-pause' | 'step' | 'compare' | 'help';

export interface Shortcut {
  /** KeyboardEvent.key values that trigger it. */
  readonly keys: readonly string[];
  /** As shown in the help overlay. */
  readonly label: string;
  readonly action: ShortcutAction;
  readonly description: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: [' '], label: 'Space', action: 'start-pause', description: 'Start training; pause or resume the running run' },
  { keys: ['s', 'S'], label: 's', action: 'step', description: 'One training step, then pause (pauses a running run)' },
  { keys: ['c', 'C'], label: 'c', action: 'compare', description: 'Toggle compare mode (two runs side by side)' },
  { keys: ['?'], label: '?', action: 'help', description: 'Show or hide this list' },
];

/** Elements where a key press is typing or operating a control, never a shortcut. */
const EDITABLE = new Set(['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON', 'OPTION']);

/** Duck-typed event target (tests pass plain objects). */
interface TargetLike {
  readonly tagName?: string;
  readonly isContentEditable?: boolean;
}

/** The parts of a KeyboardEvent the shortcuts read. */
export interface KeyPress {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly altKey: boolean;
  readonly repeat?: boolean;
  readonly target: unknown;
}

/** What each action does (SessionShortcuts builds them from the app's state). */
export type ShortcutHandlers = Readonly<Record<ShortcutAction, () => void>>;

/** The shortcut a key press means, or null (modifier keys held, typing in a field, repeat). */
export function shortcutFor(e: KeyPress): ShortcutAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return null;
  const t = e.target as TargetLike | null;
  if (t && ((t.tagName !== undefined && EDITABLE.has(t.tagName.toUpperCase())) || t.isContentEditable)) return null;
  return SHORTCUTS.find((s) => s.keys.includes(e.key))?.action ?? null;
}

/**
 * Runs the action of a key press, if it is a shortcut; while the help is open only "?" (its
 * toggle) works. Returns the action run (the caller then prevents the key's default), else null.
 */
export function runShortcut(e: KeyPress, handlers: ShortcutHandlers, helpOpen: boolean): ShortcutAction | null {
  const action = shortcutFor(e);
  if (!action || (helpOpen && action !== 'help')) return null;
  handlers[action]();
  return action;
}
