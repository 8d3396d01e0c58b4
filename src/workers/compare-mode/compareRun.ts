/**
 * A whole comparison: two runs trained in turn (A, B, A, B...) from fresh models or from the
 * shipped unmarked demo model (start 'demo-unmarked'), or the shipped trained pair loaded as it
 * is (start 'demo-pair': A the R = 0 twin, B the WaterMAS model); then, for each, the 1-D landscape
 * and the attack sweep through the same worker functions as the Landscape and Attack panels
 * (runLandscapeOn, runAttackSweepOn), with the same seeds and images for both runs.
 */
import type { ArchOptions } from '../../engine/models/options';
import type { Model } from '../../engine/models/types';
import type { WatermasKey } from '../../engine/watermark';
import type { AttackSweepOutcome, LandscapeOutcome } from '../../protocol/analysis';
import type { TrainOutcome, TrainSettings } from '../../protocol/api';
import { runAttackSweepOn } from '../attack/attackRun';
import { runLandscapeOn } from '../landscape/landscapeRun';
import type { CompareEvent, CompareLane, CompareLaneResult, CompareOutcome, CompareRequest, LoadedDemoModel } from '../../protocol/compareMode';
import { firstImages, trainLane } from './compareLane';
import { attackSettingsOf, landscapeSettingsOf, resolveCompareRequest, type ResolvedCompare } from './compareSettings';
import type { DemoIndex } from '../../engine/io/demoIndex';
import { checkDemoDataset, describeDemoModel, fetchDemoIndex, fetchDemoModel } from '../demo/demoModels';
import { TurnGate } from './turnGate';
import type { LongJobInput } from '../jobs';

const LANES: readonly CompareLane[] = ['A', 'B'];

/** One point of a run's training curve (the reports with a loss). */
export interface CompareHistoryPoint {
  readonly step: number;
  readonly loss: number | null;
  readonly accuracy: number | null;
}

/** A run that finished training, handed to `onLaneTrained` before its model is disposed. */
export interface FinishedCompareLane {
  readonly lane: CompareLane;
  /** The settings as reported (see CompareLaneResult.settings). */
  readonly settings: TrainSettings;
  /** Valid only during the callback: copy what must be kept. */
  readonly model: Model;
  readonly key: WatermasKey;
  readonly outcome: TrainOutcome;
  readonly history: readonly CompareHistoryPoint[];
  readonly stepsPerEpoch: number;
  readonly landscape: LandscapeOutcome | null;
  readonly attack: AttackSweepOutcome | null;
}

export interface CompareRunInput extends LongJobInput {
  readonly request: CompareRequest;
  readonly onEvent: (e: CompareEvent) => void | Promise<void>;
  /** Where the app is served from: the demo models are fetched from there ('demo-*' starts). */
  readonly origin: string;
  /** Architecture options of both models (default: the architecture's defaults). */
  readonly modelOptions?: ArchOptions;
  /** Called for each run that completed training (not cancelled), after its analysis (e.g. the runs registry). */
  readonly onLaneTrained?: (run: FinishedCompareLane) => void | Promise<void>;
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Runs a comparison. The request is checked in full before any tensor is made (a bad one
 * rejects); a run that fails or diverges is reported in its lane while the other goes on.
 * Pause / resume / cancel through `control` act on both runs; cancel also stops the analysis.
 * Both models are disposed at the end.
 */
export async function runCompare(input: CompareRunInput): Promise<CompareOutcome> {
  const { dataset, normalization, control } = input;
  const r = resolveCompareRequest(input.request);
  const start = r.start;
  const base = r.runSettings[0];
  if (start !== 'demo-pair') {
    const trainCount = firstImages(dataset.train, base.trainLimit).count;
    if (trainCount < base.batchSize) throw new Error(`${trainCount} training images make no full batch of ${base.batchSize}: lower the batch size or use more images`);
  }
  const t0 = performance.now();
  const emit = async (e: CompareEvent) => {
    try {
      await input.onEvent(e);
    } catch {
      /* the page is gone or the callback threw: keep going */
    }
  };
  const histories: Record<CompareLane, CompareHistoryPoint[]> = { A: [], B: [] };
  let lanesOut: LanesOutput;
  if (start === 'scratch') {
    lanesOut = await trainBoth(input, r, histories, emit, undefined);
  } else {
    const origin = input.origin;
    const index = await fetchDemoIndex(origin);
    checkDemoDataset(dataset, index);
    if (start === 'demo-pair') {
      lanesOut = await loadDemoLanes(origin, index, emit);
    } else {
      const unmarked = await fetchDemoModel(origin, index, 'unmarked');
      const arch = unmarked.json.modelTopology.arch;
      if (arch !== base.arch) throw new Error(`the demo model is a '${arch}' model: set the architecture to ${arch} to fine-tune it (the Training panel has '${base.arch}')`);
      lanesOut = await trainBoth(input, r, histories, emit, unmarked.build);
    }
  }
  const { ready: trained, errors } = lanesOut;
  const landscapes: (LandscapeOutcome | null)[] = [null, null];
  const attacks: (AttackSweepOutcome | null)[] = [null, null];
  try {
    const analysable = (i: number) => {
      const t = trained[i];
      return t && !t.outcome?.cancelled && !control.cancelled ? t : null;
    };
    const signal = { get aborted() { return control.cancelled; } };
    for (let i = 0; i < 2; i++) {
      const t = analysable(i);
      if (!t) continue;
      const lane = LANES[i];
      await emit({ kind: 'phase', lane, phase: 'landscape' });
      try {
        const outcome = await runLandscapeOn({
          model: t.model, key: t.key, dataset, normalization, settings: landscapeSettingsOf(r.landscape), signal, backend: input.backend,
          onEvent: (event) => emit({ kind: 'landscape', lane, event }),
        });
        landscapes[i] = outcome;
        await emit({ kind: 'landscape-done', lane, outcome });
      } catch (e) {
        errors[i] = `landscape: ${messageOf(e)}`;
      }
    }
    for (let i = 0; i < 2; i++) {
      const t = analysable(i);
      if (!t) continue;
      const lane = LANES[i];
      await emit({ kind: 'phase', lane, phase: 'attack' });
      try {
        const outcome = await runAttackSweepOn({
          model: t.model, key: t.key, dataset, normalization, settings: attackSettingsOf(r.attack), control, backend: input.backend,
          onPoint: (point) => emit({ kind: 'attack', lane, point }),
        });
        attacks[i] = outcome;
        await emit({ kind: 'attack-done', lane, outcome });
      } catch (e) {
        errors[i] = `attack: ${messageOf(e)}`;
      }
    }
    if (input.onLaneTrained) {
      for (let i = 0; i < 2; i++) {
        const t = trained[i];
        if (!t?.outcome || t.outcome.cancelled) continue;
        try {
          await input.onLaneTrained({
            lane: LANES[i], settings: r.reportedSettings[i], model: t.model, key: t.key, outcome: t.outcome,
            history: histories[LANES[i]], stepsPerEpoch: t.stepsPerEpoch, landscape: landscapes[i], attack: attacks[i],
          });
        } catch (e) {
          console.warn(`compare: could not keep run ${LANES[i]}: ${messageOf(e)}`);
        }
      }
    }
  } finally {
    for (const t of trained) t?.model.dispose();
  }
  const lanes = LANES.map(
    (lane, i): CompareLaneResult => ({
      lane, variant: r.variants[i], settings: r.reportedSettings[i], train: trained[i]?.outcome ?? null,
      landscape: landscapes[i], attack: attacks[i], ...(errors[i] !== undefined ? { error: errors[i] } : {}),
      ...(trained[i]?.loaded ? { loaded: trained[i]!.loaded } : {}),
    }),
  ) as [CompareLaneResult, CompareLaneResult];
  return {
    cancelled: control.cancelled || lanes.some((l) => l.train?.cancelled === true),
    start,
    lanes,
    landscape: r.landscape,
    attack: r.attack,
    seconds: (performance.now() - t0) / 1000,
    backend: input.backend(),
  };
}

/** A run ready for its analysis: trained (outcome) or loaded as shipped (loaded). */
interface ReadyLane {
  readonly model: Model;
  readonly key: WatermasKey;
  readonly outcome: TrainOutcome | null;
  readonly stepsPerEpoch: number;
  readonly loaded?: LoadedDemoModel;
}

interface LanesOutput {
  readonly ready: (ReadyLane | null)[];
  readonly errors: (string | undefined)[];
}

/** Trains both runs in turn, from fresh models or, with `initialModel`, from a trained one. */
async function trainBoth(
  input: CompareRunInput,
  r: ResolvedCompare,
  histories: Record<CompareLane, CompareHistoryPoint[]>,
  emit: (e: CompareEvent) => Promise<void>,
  initialModel: (() => Model) | undefined,
): Promise<LanesOutput> {
  const gate = new TurnGate();
  const settled = await Promise.allSettled(
    LANES.map((lane, i) =>
      trainLane({
        lane, settings: r.runSettings[i], dataset: input.dataset, normalization: input.normalization, control: input.control, gate, backend: input.backend,
        ...(input.modelOptions ? { modelOptions: input.modelOptions } : {}),
        ...(initialModel ? { initialModel } : {}),
        onProgress: (progress) => {
          if (progress.phase === 'training' || progress.phase === 'paused') {
            if (progress.loss !== null) histories[lane].push({ step: progress.step, loss: progress.loss, accuracy: progress.accuracy });
          }
          return emit({ kind: 'train', lane, progress });
        },
      }),
    ),
  );
  return {
    ready: settled.map((s) => (s.status === 'fulfilled' ? s.value : null)),
    errors: settled.map((s) => (s.status === 'rejected' ? messageOf(s.reason) : undefined)),
  };
}

/** 'demo-pair': run A is the shipped R = 0 twin, run B the shipped WaterMAS model, each with its key. */
async function loadDemoLanes(origin: string, index: DemoIndex, emit: (e: CompareEvent) => Promise<void>): Promise<LanesOutput> {
  const ready: (ReadyLane | null)[] = [];
  try {
    for (const [lane, name] of [['A', 'twin'], ['B', 'watermas']] as const) {
      const files = await fetchDemoModel(origin, index, name);
      if (!files.key) throw new Error(`the demo model '${name}' is shipped without its key`);
      const loaded = await describeDemoModel(index, files);
      ready.push({ model: files.build(), key: files.key, outcome: null, stepsPerEpoch: 0, loaded });
      await emit({ kind: 'loaded', lane, model: loaded });
    }
  } catch (e) {
    for (const l of ready) l?.model.dispose();
    throw e;
  }
  return { ready, errors: [undefined, undefined] };
}
