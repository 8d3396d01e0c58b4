/** FCW's plain properties (the registry entry is method.ts). */
import type { MethodInfo } from '../info';

export const FCW_INFO: MethodInfo<'fcw'> = {
  id: 'fcw',
  label: 'FCW',
  keyPhrase: 'an FCW (trigger-set)',
  committedKeys: true,
  hasKeyPositions: false,
  hasReplicas: false,
  keySeeded: false,
  triggerSet: true,
  runLabel: () => 'FCW',
};
