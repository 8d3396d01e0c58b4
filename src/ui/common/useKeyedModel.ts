import { useCallback } from 'react';
import type { KeyedModelInfo } from '../../protocol/api';
import type { EngineHandle } from '../useEngine';
import { useWorkerQuery } from './useWorkerQuery';

/**
 * The worker's current watermarked model (null until a run with a key has finished). Asked
 * again whenever `stamp` changes (pass something that changes when a training run ends).
 */
export function useKeyedModel(engine: EngineHandle, stamp: unknown): KeyedModelInfo | null {
  const keyed = useWorkerQuery(useCallback(() => engine.keyedModel(), [engine]), { refresh: stamp });
  // a failed question means no usable model
  return keyed.error ? null : (keyed.data ?? null);
}

/** Colours for overlaid series (colour-blind-friendly Tableau 10 order). */
export const SERIES_COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
