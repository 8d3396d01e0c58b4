/**
 * Stable ids of the controls a classroom link can hide. They are the DOM ids of the inputs in
 * TrainingForm and WatermarkPanel (a field checks `useIsHidden(id)`); a new hideable control
 * adds one entry here and one check in its form.
 */
export interface HideableControl {
  readonly id: string;
  readonly label: string;
  readonly group: 'Training' | 'Watermark';
}

export const HIDEABLE_CONTROLS: readonly HideableControl[] = [
  { id: 'arch', label: 'Model', group: 'Training' },
  { id: 'epochs', label: 'Epochs', group: 'Training' },
  { id: 'batch-size', label: 'Batch size', group: 'Training' },
  { id: 'lr', label: 'Learning rate', group: 'Training' },
  { id: 'optimizer', label: 'Optimizer', group: 'Training' },
  { id: 'momentum', label: 'Momentum', group: 'Training' },
  { id: 'weight-decay', label: 'Weight decay', group: 'Training' },
  { id: 'schedule', label: 'Schedule', group: 'Training' },
  { id: 'seed', label: 'Seed', group: 'Training' },
  { id: 'train-limit', label: 'Train images', group: 'Training' },
  { id: 'test-limit', label: 'Test images', group: 'Training' },
  { id: 'augment', label: 'Augment', group: 'Training' },
  { id: 'wm-method', label: 'Watermark method', group: 'Watermark' },
  { id: 'wm-strength', label: 'Strength q', group: 'Watermark' },
  { id: 'wm-replicas', label: 'Replicas R', group: 'Watermark' },
  { id: 'wm-sigma', label: 'Noise σ', group: 'Watermark' },
  { id: 'wm-rho', label: 'Radius ρ', group: 'Watermark' },
  { id: 'wm-lambda', label: 'Weight λ', group: 'Watermark' },
  { id: 'wm-margin', label: 'Margin m', group: 'Watermark' },
];

export const HIDEABLE_IDS: ReadonlySet<string> = new Set(HIDEABLE_CONTROLS.map((c) => c.id));

/**
 * Controls elsewhere that set the same thing as a hideable one, and hide with it: the live
 * step-size slider of the training session is the learning rate, compare mode's per-run R, σ and
 * λ are the Watermark panel's. (A classroom link that hides "Learning rate" must not leave it
 * adjustable under another name.)
 */
export const HIDDEN_WITH: Readonly<Record<string, string>> = {
  'live-lr': 'lr',
  'cmp-a-replicas': 'wm-replicas',
  'cmp-b-replicas': 'wm-replicas',
  'cmp-a-sigma': 'wm-sigma',
  'cmp-b-sigma': 'wm-sigma',
  'cmp-a-lambda': 'wm-lambda',
  'cmp-b-lambda': 'wm-lambda',
};
