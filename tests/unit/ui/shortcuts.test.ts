import { describe, expect, it } from 'vitest';
import { SHORTCUTS, runShortcut, shortcutFor, type ShortcutAction, type ShortcutHandlers } from '../../../src/ui/shortcuts/keys';
import { changeLabel } from '../../../src/ui/training/TrainingMarkers';

const press = (key: string, target: unknown = { tagName: 'BODY' }, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean; repeat: boolean }> = {}) =>
  shortcutFor({ key, ctrlKey: false, metaKey: false, altKey: false, target, ...mods });

describe('keyboard shortcuts', () => {
  it('maps space, s, c and ? to their actions', () => {
    expect(press(' ')).toBe('start-pause');
    expect(press('s')).toBe('step');
    expect(press('S')).toBe('step');
    expect(press('c')).toBe('compare');
    expect(press('?')).toBe('help');
    expect(press('x')).toBeNull();
    expect(SHORTCUTS.map((s) => s.label)).toEqual(['Space', 's', 'c', '?']);
  });

  it('ignores keys typed in fields, on buttons, in contenteditable, with modifiers or auto-repeat', () => {
    for (const tagName of ['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON', 'input']) expect(press('s', { tagName })).toBeNull();
    expect(press('s', { tagName: 'DIV', isContentEditable: true })).toBeNull();
    expect(press('s', { tagName: 'BODY' }, { ctrlKey: true })).toBeNull();
    expect(press('c', { tagName: 'BODY' }, { metaKey: true })).toBeNull();
    expect(press(' ', { tagName: 'BODY' }, { repeat: true })).toBeNull();
    expect(press('s', null)).toBe('step');
  });

  it("runs the table's handler for a key: 'c' toggles compare mode through it (no window event)", () => {
    const calls: ShortcutAction[] = [];
    const handlers: ShortcutHandlers = {
      'start-pause': () => calls.push('start-pause'),
      step: () => calls.push('step'),
      compare: () => calls.push('compare'),
      help: () => calls.push('help'),
    };
    const key = (k: string, target: unknown = { tagName: 'BODY' }) => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, target });
    expect(runShortcut(key('c'), handlers, false)).toBe('compare');
    expect(runShortcut(key('C'), handlers, false)).toBe('compare');
    expect(runShortcut(key('c', { tagName: 'INPUT' }), handlers, false)).toBeNull();
    expect(runShortcut(key('x'), handlers, false)).toBeNull();
    expect(runShortcut(key(' '), handlers, false)).toBe('start-pause');
    expect(calls).toEqual(['compare', 'compare', 'start-pause']);
    // while the help is open only '?' works
    calls.length = 0;
    expect(runShortcut(key('c'), handlers, true)).toBeNull();
    expect(runShortcut(key('s'), handlers, true)).toBeNull();
    expect(runShortcut(key('?'), handlers, true)).toBe('help');
    expect(calls).toEqual(['help']);
  });
});

describe('chart marker labels', () => {
  it('names the changed settings in a fixed order', () => {
    expect(changeLabel({ step: 3, changes: { learningRate: 0.01, replicas: 4 } })).toBe('R=4, lr=0.01');
    expect(changeLabel({ step: 3, changes: { margin: Infinity, sigma: 0.0200001 } })).toBe('σ=0.02, m=off');
    expect(changeLabel({ step: 0, changes: { mode: 'adversarial', lambda: 2 } })).toBe('λ=2, mode=adversarial');
  });
});
