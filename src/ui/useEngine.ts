import { useState } from 'react';
import * as Comlink from 'comlink';
import type { EngineApi } from '../protocol/api';

export type EngineHandle = Comlink.Remote<EngineApi>;

let shared: EngineHandle | null = null;

/**
 * The page's engine worker, wrapped with comlink. One worker per page, created on first use
 * and kept for the page's lifetime (the lab is the whole page; a second worker would double
 * the GPU memory and the data in memory).
 */
export function getEngine(): EngineHandle {
  if (!shared) {
    const worker = new Worker(new URL('../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'engine' });
    shared = Comlink.wrap<EngineApi>(worker);
  }
  return shared;
}

/** The engine worker for components (stable across renders). */
export function useEngine(): EngineHandle {
  const [engine] = useState(getEngine);
  return engine;
}

/** Wraps a callback so the worker can call it back across the boundary. */
export function proxyCallback<T extends (...args: never[]) => void>(fn: T): T & Comlink.ProxyMarked {
  return Comlink.proxy(fn);
}
