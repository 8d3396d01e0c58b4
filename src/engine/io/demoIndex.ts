/**
 * The trained demo models shipped with the app (public/models/demo/, written by
 * `node scripts/demo-models.mjs publish`): index.json lists each model's files with their
 * SHA-256, the command that trained it and its test accuracy, and the CLI's paired sharpness
 * measure of the R = 0 twin against the WaterMAS model (`wmlab compare-sharpness`).
 */
import { z } from 'zod';
import { sha256Hex } from './modelSha256';

/** Where the demo models live, relative to the app's root (and to the repository's public/). */
export const DEMO_MODELS_DIR = 'models/demo/';

/** The three models: the unmarked base, its R = 0 twin and the WaterMAS model (same key, init and data order). */
export const DEMO_MODEL_NAMES = ['unmarked', 'twin', 'watermas'] as const;
export type DemoModelName = (typeof DEMO_MODEL_NAMES)[number];

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case SHA-256 hex digest');
const fraction = z.number().min(0).max(1);

const demoModelSchema = z.object({
  name: z.enum(DEMO_MODEL_NAMES),
  method: z.enum(['none', 'watermas']),
  command: z.string(),
  settings: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
  testAccuracy: fraction,
  testImages: z.number().int().positive(),
  /** File name (model.json, weights.bin, key.json) → SHA-256. */
  files: z.record(z.string(), hex64),
});

/** One model's side of `wmlab compare-sharpness` (engine/landscape keyVsControl, as the CLI prints it). */
const keyVsControlSchema = z.object({
  relativeRadius: z.number(),
  baseLoss: z.number(),
  baseAccuracy: fraction,
  keyRise: z.number(),
  keyRiseSpread: z.number(),
  controlRise: z.number(),
  controlRiseSpread: z.number(),
  ratio: z.number().nullable(),
  controls: z.number().int(),
  draws: z.number().int(),
  flip: z.object({ fraction: z.number(), keyAccuracyDrop: z.number(), keyAccuracyDrops: z.array(z.number()).optional(), controlAccuracyDrop: z.number() }).loose().optional(),
}).loose();

const demoPairSchema = z.object({
  /** The measure's flags, as given to `wmlab compare-sharpness`. */
  measure: z.string(),
  evalSize: z.number().int().positive(),
  /** null where undefined (a twin whose rise is ≤ 0: JSON has no NaN). */
  paired: z.object({ keyGain: z.number().nullable(), controlGain: z.number().nullable(), flipCostGain: z.number().nullable() }),
  marked: keyVsControlSchema,
  twin: keyVsControlSchema,
});

export const demoIndexSchema = z.object({
  generatedBy: z.string(),
  dataset: z.literal('cifar10'),
  models: z.array(demoModelSchema).min(1),
  pair: demoPairSchema.optional(),
});

export type DemoIndex = z.infer<typeof demoIndexSchema>;
export type DemoModelEntry = DemoIndex['models'][number];
export type DemoPairMeasure = NonNullable<DemoIndex['pair']>;

/** Parses index.json; throws one line saying what is wrong. */
export function parseDemoIndex(text: string): DemoIndex {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`the demo models' index.json is not JSON: ${(e as Error).message}`, { cause: e });
  }
  const r = demoIndexSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new Error(`the demo models' index.json is not valid: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return r.data;
}

/** The entry of one demo model; throws when the index does not list it. */
export function demoModel(index: DemoIndex, name: DemoModelName): DemoModelEntry {
  const m = index.models.find((x) => x.name === name);
  if (!m) throw new Error(`the demo models' index lists no '${name}' model`);
  return m;
}

/** Refuses a file whose bytes do not hash to the index's digest (a truncated download, an edited file). */
export function checkDemoFile(entry: DemoModelEntry, file: string, bytes: Uint8Array): void {
  const want = entry.files[file];
  if (want === undefined) throw new Error(`the demo model '${entry.name}' lists no file ${file}`);
  const got = sha256Hex(bytes);
  if (got !== want) throw new Error(`demo model '${entry.name}': ${file} has SHA-256 ${got.slice(0, 12)}…, the index says ${want.slice(0, 12)}… (a partial download or an edited file)`);
}
