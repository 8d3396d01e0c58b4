/**
 * A stored run as the Training and Watermark panels show it again (after a page reload, or when a
 * run is selected in the Runs drawer): its training curve and its outcome. Pure (no React).
 */
import type { RunMetricPoint, RunRecord, TrainOutcome } from '../../protocol/api';

/** Which stored run the panels show, and whether its full outcome was kept. */
export interface RestoredRunInfo {
  readonly id: string;
  readonly name: string;
  /**
   * The record kept the training call's full outcome (test loss, watermark report); false for runs
   * saved before the lab kept it (or imported without it): the panels then show the summary only.
   */
  readonly complete: boolean;
}

export interface RestoredRunView {
  readonly info: RestoredRunInfo;
  readonly outcome: TrainOutcome;
  /** The training curve (the chart's points: step, loss, accuracy). */
  readonly history: readonly RunMetricPoint[];
}

/** The run's outcome and curve for the panels (the decoded watermark image back as bytes). */
export function restoredRunView(record: RunRecord): RestoredRunView {
  const stored = record.trainOutcome;
  const history = record.history.map((p) => ({ step: p.step, loss: p.loss, accuracy: p.accuracy }));
  if (stored) {
    const { watermark, ...rest } = stored;
    let report: TrainOutcome['watermark'];
    if (watermark) {
      const { image, ...wm } = watermark;
      report = image ? { ...wm, image: { ...image, pixels: Uint8Array.from(image.pixels) } } : wm;
    }
    const outcome: TrainOutcome = { ...rest, runId: record.id, ...(report ? { watermark: report } : {}) };
    return { info: { id: record.id, name: record.name, complete: true }, outcome, history };
  }
  // Summary only: what the drawer lists (no test loss, no training-image count, no watermark report).
  const s = record.outcome;
  const outcome: TrainOutcome = {
    cancelled: s.cancelled, steps: s.steps, seconds: s.seconds, imagesPerSecond: s.imagesPerSecond, trainImages: 0,
    testImages: s.testImages, testAccuracy: s.testAccuracy, testLoss: null, backend: s.backend, runId: record.id,
  };
  return { info: { id: record.id, name: record.name, complete: false }, outcome, history };
}
