/**
 * The trained demo models served with the app (public/models/demo/): fetched, checked against
 * the SHA-256 of their index, rebuilt as models, their keys parsed and checked against them.
 */
import { DEMO_MODELS_DIR, checkDemoFile, demoModel, parseDemoIndex, type DemoIndex, type DemoModelName } from '../../engine/io/demoIndex';
import { loadModel } from '../../engine/io/loadModel';
import { parseModelJson, type ModelJson } from '../../engine/io/modelFile';
import type { Model } from '../../engine/models/types';
import { verifyWatermark, type WatermasKey } from '../../engine/watermark';
import { WATERMAS, keyOfMethod, parseMethodKeyFile } from '../../engine/methods';
import type { Dataset } from '../../engine/data/types';
import type { DemoPairInfo, DemoSideMeasure, LoadedDemoModel } from '../../protocol/compareMode';

/** A demo model's files as fetched and checked against the index: rebuild it as often as needed with `build()`. */
export interface DemoModelFiles {
  readonly name: DemoModelName;
  readonly json: ModelJson;
  readonly weights: ArrayBuffer;
  /** The WaterMAS key shipped with it (the twin and the marked model), else null. */
  readonly key: WatermasKey | null;
  /** A fresh model with these weights (the caller disposes it). */
  build(): Model;
}

async function fetchBytes(origin: string, path: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(new URL(DEMO_MODELS_DIR + path, origin));
  } catch (e) {
    throw new Error(`could not fetch the demo model file ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  // Dev/preview servers answer unknown paths with index.html (200): that is "absent".
  if (!res.ok || (res.headers.get('content-type') ?? '').includes('text/html')) {
    throw new Error(`the demo models are not on this server (${DEMO_MODELS_DIR}${path}: ${res.ok ? 'not found' : `HTTP ${res.status}`})`);
  }
  return new Uint8Array(await res.arrayBuffer());
}

/** The demo models' index, fetched from `origin` (the page's base URL). */
export async function fetchDemoIndex(origin: string): Promise<DemoIndex> {
  return parseDemoIndex(new TextDecoder().decode(await fetchBytes(origin, 'index.json')));
}

/** Fetches one demo model's files, checks every byte against the index and parses them (nothing is built yet). */
export async function fetchDemoModel(origin: string, index: DemoIndex, name: DemoModelName): Promise<DemoModelFiles> {
  const entry = demoModel(index, name);
  const get = async (file: string) => {
    const bytes = await fetchBytes(origin, `${name}/${file}`);
    checkDemoFile(entry, file, bytes);
    return bytes;
  };
  const [jsonBytes, weightBytes, keyBytes] = await Promise.all([get('model.json'), get('weights.bin'), entry.files['key.json'] ? get('key.json') : null]);
  const json = parseModelJson(new TextDecoder().decode(jsonBytes), `${name}/model.json`);
  const weights = weightBytes.buffer.slice(weightBytes.byteOffset, weightBytes.byteOffset + weightBytes.byteLength) as ArrayBuffer;
  let key: WatermasKey | null = null;
  if (keyBytes) {
    const any = parseMethodKeyFile(new TextDecoder().decode(keyBytes));
    key = keyOfMethod(any, WATERMAS) ?? null;
    if (!key) throw new Error(`demo model '${name}': its key is a ${any.method} key, not WaterMAS`);
  }
  // (the key is checked against the model where it is read back: demoKeyCheck → verifyWatermark)
  return { name, json, weights, key, build: () => loadModel(json, weights, `${name}/model.json`) };
}

/** Refuses a data set the demo models were not trained on (they are CIFAR-10 models). */
export function checkDemoDataset(dataset: Dataset, index: DemoIndex): void {
  if (dataset.name !== index.dataset) {
    throw new Error(
      `the demo models were trained on CIFAR-10 and this page has the ${dataset.label} loaded: load CIFAR-10 in the Dataset panel (or start the lab with CIFAR10_DIR set) to fine-tune or measure them here`,
    );
  }
}

/** BER and p-value of a demo model's own key on its weights (data-free: 0 errors expected). */
export async function demoKeyCheck(files: DemoModelFiles): Promise<{ readonly ber: number; readonly log10PValue: number; readonly detected: boolean } | null> {
  if (!files.key) return null;
  const model = files.build();
  try {
    const r = await verifyWatermark(model, files.key);
    return { ber: r.ber, log10PValue: r.log10PValue, detected: r.detected };
  } finally {
    model.dispose();
  }
}

/** What the page is told of a loaded demo model. */
export async function describeDemoModel(index: DemoIndex, files: DemoModelFiles): Promise<LoadedDemoModel> {
  const entry = demoModel(index, files.name);
  const check = await demoKeyCheck(files);
  return {
    name: files.name, command: entry.command, settings: entry.settings, testAccuracy: entry.testAccuracy, testImages: entry.testImages,
    ber: check?.ber ?? null, log10PValue: check?.log10PValue ?? null,
  };
}

/** The pair as shipped (both models fetched, checked, their keys read back) and the CLI's measure. */
export async function demoPairInfo(origin: string): Promise<DemoPairInfo> {
  const index = await fetchDemoIndex(origin);
  const [twin, marked] = await Promise.all([fetchDemoModel(origin, index, 'twin'), fetchDemoModel(origin, index, 'watermas')]);
  const unmarked = index.models.find((m) => m.name === 'unmarked');
  const p = index.pair;
  const side = (m: NonNullable<DemoIndex['pair']>['marked']): DemoSideMeasure => ({
    keyRise: m.keyRise, keyRiseSpread: m.keyRiseSpread, controlRise: m.controlRise, controlRiseSpread: m.controlRiseSpread,
    flipKeyDrop: m.flip?.keyAccuracyDrop ?? null, flipKeyDrops: m.flip?.keyAccuracyDrops ?? null, flipControlDrop: m.flip?.controlAccuracyDrop ?? null, baseAccuracy: m.baseAccuracy,
  });
  return {
    twin: await describeDemoModel(index, twin),
    marked: await describeDemoModel(index, marked),
    unmarked: unmarked ? { command: unmarked.command, testAccuracy: unmarked.testAccuracy, testImages: unmarked.testImages } : null,
    measure: p
      ? {
          flags: p.measure, evalSize: p.evalSize, keyGain: p.paired.keyGain, controlGain: p.paired.controlGain, relativeRadius: p.marked.relativeRadius,
          twin: side(p.twin), marked: side(p.marked),
        }
      : null,
  };
}
