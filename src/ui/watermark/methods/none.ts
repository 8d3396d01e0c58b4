/** No watermark: plain training (the panel shows the WaterMAS fields, disabled, until a method is picked). */
import type { UiMethod } from './types';

export const NONE_UI: UiMethod<'none'> = {
  id: 'none',
  name: 'plain',
  optionLabel: 'none (plain training)',
  hint: () => 'Pick a method to mark the next run.',
  payloadKinds: ['random', 'text', 'image'],
  keyed: false,
  marks: false,
  liveObjective: false,
  onPick: () => ({}),
  toConfig: () => ({ method: 'none' }),
  urlFields: [],
};
