/** Uchida's plain properties (the registry entry is method.ts). */
import type { MethodInfo } from '../info';

export const UCHIDA_INFO: MethodInfo<'uchida'> = {
  id: 'uchida',
  label: 'Uchida',
  keyPhrase: 'an Uchida',
  committedKeys: true,
  hasKeyPositions: false,
  hasReplicas: false,
  keySeeded: true,
  triggerSet: false,
  runLabel: (settings) => (typeof settings?.lambda === 'number' ? `Uchida λ=${settings.lambda}` : 'Uchida'),
};
