/// <reference lib="webworker" />
/**
 * The engine worker: exposes an EngineService through comlink. Training, data parsing and
 * tarball unpacking all run here, so the page stays responsive.
 */
import * as Comlink from 'comlink';
import { EngineService } from './engineService';

const scope = self as unknown as DedicatedWorkerGlobalScope;

// A stray rejection must be reported, never kill the worker silently.
scope.addEventListener('unhandledrejection', (e) => {
  console.warn('engine worker: unhandled rejection:', e.reason);
  e.preventDefault();
});

Comlink.expose(new EngineService(scope.location.origin), scope);
