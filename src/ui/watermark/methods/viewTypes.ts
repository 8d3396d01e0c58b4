/** The props of a method's React parts (views.tsx). */
import type { DatasetInfo, TrainSettings, WatermarkProgress } from '../../../protocol/api';
import type { TrainingState } from '../../training/useTraining';
import type { EngineHandle } from '../../useEngine';
import type { WatermarkForm } from '../watermarkDefaults';

/** A method's settings in the Watermark panel (below the payload and key fields). */
export interface MethodSettingsProps {
  readonly engine: EngineHandle;
  readonly settings: TrainSettings;
  readonly config: WatermarkForm;
  /** Payload bits of the form's payload (payloadSize). */
  readonly bits: number;
  /** Method, payload, strength and key are fixed at embedding: locked while a run goes. */
  readonly lockedSetup: boolean;
  /** The live objective fields are disabled (not this method's, or a run of another method goes). */
  readonly liveDisabled: boolean;
  readonly liveBadge: string | undefined;
  /** Backend and data are ready (the Uchida layer list builds a model in the worker). */
  readonly ready: boolean;
  readonly update: (partial: Partial<WatermarkForm>) => void;
}

/** The live evidence line of a run of the method. */
export interface MethodLiveProps {
  /** The last live report (null: none yet). */
  readonly progress: WatermarkProgress | null;
}

/** What a method adds to the Watermark panel below the live line (the FCW trigger gallery). */
export interface MethodExtraProps {
  readonly engine: EngineHandle;
  readonly settings: TrainSettings;
  readonly training: TrainingState;
  readonly dataset: DatasetInfo | null;
  readonly active: boolean;
  /** The settings of the current or last run of this method (recorded while it ran; null before the first). */
  readonly lastRun: TrainSettings | null;
}
