/** WaterMAS's plain properties (the registry entry is method.ts). */
import type { MethodInfo } from '../info';

export const WATERMAS_INFO: MethodInfo<'watermas'> = {
  id: 'watermas',
  label: 'WaterMAS',
  keyPhrase: 'a WaterMAS',
  committedKeys: true,
  hasKeyPositions: true,
  hasReplicas: true,
  keySeeded: true,
  triggerSet: false,
  runLabel: (settings) => (typeof settings?.replicas === 'number' ? `WaterMAS R=${settings.replicas}` : 'WaterMAS'),
};
