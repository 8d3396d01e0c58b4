/**
 * Page-side test hooks, installed only when the page URL carries `?testHooks` (as `?verifyLimits`
 * is a URL knob): `globalThis.__wmlabTest.simulateDeviceLoss()` destroys the WebGPU device of the
 * running training run (EngineApi.simulateDeviceLoss), so a browser test can watch the run move to
 * WebGL and go on from its checkpoint. `?testHooks&panelFault=<id>` makes the panel with that id
 * throw while rendering until it is reloaded, so a test can watch its error boundary. Without the flag nothing is
 * exposed.
 */
import type { EngineHandle } from './useEngine';

/** What the hooks offer to a test driving the page. */
export interface WmlabTestHooks {
  /** Destroys the WebGPU device of the running run; false when no run goes on or the backend is not WebGPU. */
  simulateDeviceLoss(): Promise<boolean>;
}

/** True when `search` (e.g. location.search) asks for the test hooks. */
export function testHooksWanted(search: string): boolean {
  return new URLSearchParams(search).has('testHooks');
}

/** Publishes the hooks on `globalThis.__wmlabTest` when `search` asks for them; returns a remover. */
export function installTestHooks(engine: EngineHandle, search: string): () => void {
  if (!testHooksWanted(search)) return () => undefined;
  const g = globalThis as { __wmlabTest?: WmlabTestHooks };
  const hooks: WmlabTestHooks = { simulateDeviceLoss: () => engine.simulateDeviceLoss() };
  g.__wmlabTest = hooks;
  return () => {
    if (g.__wmlabTest === hooks) delete g.__wmlabTest;
  };
}

const clearedFaults = new Set<string>();

/**
 * Throws inside the panel `id` when the page URL asks for it (`?testHooks&panelFault=<id>`),
 * on every render (React retries a failed render once before it gives up) until the panel's
 * "Reload panel" clears it (clearInjectedPanelFault).
 */
export function injectedPanelFault(id: string): void {
  const search = typeof location === 'undefined' ? '' : location.search;
  if (!testHooksWanted(search) || clearedFaults.has(id)) return;
  if (new URLSearchParams(search).get('panelFault') !== id) return;
  throw new Error(`fault injected into the ${id} panel by ?panelFault=${id}`);
}

/** Ends the injected fault of panel `id` (its "Reload panel" was pressed). */
export function clearInjectedPanelFault(id: string): void {
  clearedFaults.add(id);
}
