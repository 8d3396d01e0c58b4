import { useCallback, useEffect, useMemo, useState, type CSSProperties } from 'react';
import type { ArchSummary, BackendInfo, BackendPreference, DatasetInfo, Thumbnails, TrainSettings } from '../protocol/api';
import { useEngine } from './useEngine';
import { useTraining } from './training/useTraining';
import { Header } from './Header';
import { DatasetPanel } from './dataset/DatasetPanel';
import { TrainingPanel } from './training/TrainingPanel';
import { WatermarkPanel } from './watermark/WatermarkPanel';
import { AttackPanel } from './attack/AttackPanel';
import { LandscapePanel } from './landscape/LandscapePanel';
import { PanelBoundary } from './PanelBoundary';
import { VerifyPanel } from './verify/VerifyPanel';
import { errorMessage } from './common/format';
import { RunsDrawer } from './runs/RunsDrawer';
import { useCurrentRun } from './runs/useCurrentRun';
import { SessionShortcuts } from './shortcuts/SessionShortcuts';
import type { RunRecord } from '../protocol/api';
import { TRAIN_DEFAULTS } from '../protocol/training';
import { useLectureState } from './lecture/useLectureState';
import { LectureToolbar } from './lecture/LectureToolbar';
import { LectureBanner } from './lecture/LectureBanner';
import { LectureProviders } from './lecture/LectureProviders';
import { CompareMode } from './compare-mode/CompareMode';
import { findPreset } from './lecture/presets';
import { StageSlotBox } from './lecture/StageSlotBox';
import { installTestHooks } from './testHooks';
import { useWorkerQuery } from './common/useWorkerQuery';

/** Sensible defaults for a first run in a browser: a few minutes on a decent GPU (the training contract's, protocol/training.ts). */
export const DEFAULT_SETTINGS: TrainSettings = TRAIN_DEFAULTS;

const GRID_IMAGES = 30;

/** The lab shell: header (backend, data), dataset panel, training panel. */
export function App() {
  const engine = useEngine();
  const training = useTraining(engine);
  const [preference, setPreference] = useState<BackendPreference>('auto');
  const [backend, setBackend] = useState<BackendInfo | null>(null);
  const [backendBusy, setBackendBusy] = useState(true);
  const [dataset, setDataset] = useState<DatasetInfo | null>(null);
  const [thumbs, setThumbs] = useState<Thumbnails | null>(null);
  const [archs, setArchs] = useState<readonly ArchSummary[]>([]);
  // Lecture mode: the settings (and theme, preset, hidden controls) live in the URL hash.
  const lecture = useLectureState(DEFAULT_SETTINGS);
  const { settings, setSettings } = lecture;
  const [importing, setImporting] = useState(false);
  const [importMessage, setImportMessage] = useState<string | null>(null);
  const [fatal, setFatal] = useState<string | null>(null);
  const locked = training.state === 'running' || training.state === 'paused';
  // Runs drawer: a stored run selected into the worker's current model slot. The Attack and
  // Landscape panels ask the worker again when a training run ends or a run is selected.
  const [selectedRun, setSelectedRun] = useState<RunRecord | null>(null);
  const modelStamp = useMemo(() => ({ outcome: training.outcome, selectedRun }), [training.outcome, selectedRun]);

  const resample = useCallback(() => {
    engine.sampleImages(GRID_IMAGES, 'train').then(setThumbs, (e: unknown) => setFatal(errorMessage(e)));
  }, [engine]);

  // A started backend; a software GPU is measured in the background while the lab already runs
  // on wasm, and the badge follows once that ends (`alive`: the caller still wants the result).
  const adoptBackend = useCallback(
    (b: BackendInfo, alive: () => boolean = () => true) => {
      setBackend(b);
      if (b.choice?.measuring) void engine.settledBackend().then((s) => alive() && s && setBackend(s), () => undefined);
    },
    [engine],
  );

  // Start-up: backend ladder, then data and the model list (the worker serialises the calls).
  useEffect(() => {
    let alive = true;
    engine
      .init('auto')
      .then((b) => alive && adoptBackend(b, () => alive))
      .catch((e: unknown) => alive && setFatal(`Backend: ${errorMessage(e)}`))
      .finally(() => alive && setBackendBusy(false));
    engine
      .loadDataset({ source: 'auto' })
      .then((d) => {
        if (!alive) return;
        setDataset(d);
        return engine.sampleImages(GRID_IMAGES, 'train').then((t) => alive && setThumbs(t));
      })
      .catch((e: unknown) => alive && setFatal(`Data: ${errorMessage(e)}`));
    engine
      .architectures()
      .then((a) => alive && setArchs(a))
      .catch((e: unknown) => alive && setFatal(`Models: ${errorMessage(e)}`));
    return () => {
      alive = false;
    };
  }, [engine, adoptBackend]);

  const changeBackend = useCallback(
    (p: BackendPreference) => {
        setPreference(p);
      setBackendBusy(true);
      engine
        .init(p)
        .then((b) => adoptBackend(b), (e: unknown) => setFatal(`Backend: ${errorMessage(e)}`))
        .finally(() => setBackendBusy(false));
    },
    [engine, adoptBackend],
  );

  const importTarball = useCallback(
    (file: File) => {
        setImporting(true);
      setImportMessage(null);
      file
        .arrayBuffer()
        .then((buf) => engine.importCifarTarball(buf))
        .then((r) => {
          setDataset(r.dataset);
          setImportMessage(
            `Imported ${r.files.length} files: ${r.trainCount.toLocaleString('en-US')} train and ${r.testCount.toLocaleString('en-US')} test images${r.stored ? ', kept for later visits' : ' (could not be stored in this browser)'}.`,
          );
          resample();
        })
        .catch((e: unknown) => setImportMessage(`Import failed: ${errorMessage(e)}`))
        .finally(() => setImporting(false));
    },
    [engine, resample],
  );

  // Test hooks (only with ?testHooks in the URL): see testHooks.ts.
  useEffect(() => installTestHooks(engine, globalThis.location?.search ?? ''), [engine]);

  // A lost GPU device moves the run to another backend (or a failed run may have switched it):
  // the badge and the preference follow the worker's backend.
  const deviceMovedTo = training.progress?.deviceLoss?.to ?? training.outcome?.deviceLoss?.to ?? null;
  const runFailed = training.state === 'failed';
  useWorkerQuery(useCallback(() => engine.backend(), [engine]), {
    enabled: deviceMovedTo !== null || runFailed,
    refresh: `${deviceMovedTo}/${runFailed}`,
    onAnswer: (b) => {
      if (!b) return;
      setBackend(b);
      setPreference(b.preference);
    },
  });

  const ready = backend !== null && dataset !== null && !backendBusy;
  // Current run across reloads: its id in the URL hash, loaded back into the worker at start.
  const currentRun = useCurrentRun({ engine, training, ready, initialRunId: lecture.view.run, setRun: lecture.setRun, onSelected: setSelectedRun });
  const { setPanelOpen } = lecture;
  const setRunsOpen = useCallback((o: boolean) => setPanelOpen('runs', o), [setPanelOpen]);
  // A preset's stage: only its panels, side by side on one screen.
  const stagePreset = lecture.view.stage ? findPreset(lecture.view.preset) : undefined;
  const stage = stagePreset?.stage ?? null;
  // Compare mode opened by its button or the `c` shortcut.
  const [compareOpen, setCompareOpen] = useState(false);
  const toggleCompare = useCallback(() => setCompareOpen((o) => !o), []);

  return (
    <LectureProviders view={lecture.view}>
    <div className="app" data-stage={stagePreset?.id} style={stage ? ({ '--stage-columns': stage.length } as CSSProperties) : undefined}>
      <Header backend={backend} backendBusy={backendBusy} preference={preference} onPreference={changeBackend} dataset={dataset} locked={locked} tools={<LectureToolbar lecture={lecture} locked={locked} />} />
      <LectureBanner lecture={lecture} />
      {fatal && (
        <p className="error banner" role="alert" data-testid="fatal-error">
          {fatal}
        </p>
      )}
      <main className="layout">
        <StageSlotBox id="compare" stage={stage}>
          <PanelBoundary title="Compare mode" id="compare">
            <CompareMode
              engine={engine}
              settings={settings}
              ready={ready}
              locked={locked}
              openByUser={compareOpen}
              onToggle={toggleCompare}
              onStage={stage?.includes('compare') ?? false}
              start={findPreset(lecture.view.preset)?.compareStart ?? 'scratch'}
              {...(dataset ? { datasetName: dataset.name } : {})}
            />
          </PanelBoundary>
        </StageSlotBox>
        <StageSlotBox id="dataset" stage={stage}>
          <PanelBoundary title="Dataset" id="dataset">
            <DatasetPanel
              dataset={dataset}
              thumbs={thumbs}
              importing={importing}
              importMessage={importMessage}
              locked={locked}
              onImport={importTarball}
              onResample={resample}
            />
          </PanelBoundary>
        </StageSlotBox>
        <StageSlotBox id="training" stage={stage}>
          <PanelBoundary title="Training" id="training">
            <TrainingPanel archs={archs} ready={ready} training={training} settings={settings} onSettings={setSettings} restore={currentRun} />
          </PanelBoundary>
        </StageSlotBox>
        <StageSlotBox id="watermark" stage={stage}>
          <PanelBoundary title="Watermark" id="watermark">
            <WatermarkPanel engine={engine} training={training} settings={settings} onSettings={setSettings} dataset={dataset} ready={ready} />
          </PanelBoundary>
        </StageSlotBox>
        <StageSlotBox id="attack" stage={stage}>
          <PanelBoundary title="Attack" id="attack">
            <AttackPanel engine={engine} modelStamp={modelStamp} locked={locked} />
          </PanelBoundary>
        </StageSlotBox>
        <StageSlotBox id="landscape" stage={stage}>
          <PanelBoundary title="Landscape" id="landscape">
            <LandscapePanel engine={engine} modelStamp={modelStamp} locked={locked} />
          </PanelBoundary>
        </StageSlotBox>
        <StageSlotBox id="verify" stage={stage}>
          <PanelBoundary title="Verify" id="verify">
            <VerifyPanel engine={engine} />
          </PanelBoundary>
        </StageSlotBox>
      </main>
      <footer className="app-footer muted small">
        WaterMAS Lab · everything runs locally in this tab{backend ? ` · tfjs backend: ${backend.name}` : ''}
      </footer>
      <PanelBoundary title="Runs" id="runs">
        <RunsDrawer engine={engine} stamp={training.outcome} locked={locked} onSelected={currentRun.selected} open={lecture.view.open?.includes('runs') ?? false} onOpenChange={setRunsOpen} />
      </PanelBoundary>
      <SessionShortcuts training={training} settings={settings} ready={ready} onToggleCompare={toggleCompare} />
    </div>
    </LectureProviders>
  );
}
