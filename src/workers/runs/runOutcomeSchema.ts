/**
 * zod schema of `RunRecord.trainOutcome` as an imported run.json carries it: every field the
 * Training and Watermark panels display is checked (an imported file is untrusted and the panels
 * render it after a reload); objects are loose, so fields of newer labs are kept. run.json reads
 * it with `.catch(undefined)`: a malformed view outcome is dropped, never the whole run (the view
 * then falls back to the record's summary).
 */
import { z } from 'zod';

const num = z.number().refine(Number.isFinite, 'must be a finite number');
const count = z.number().int().min(0);
const nullableNum = z.number().nullable();

const TensorErrorsSchema = z.looseObject({ tensor: z.string(), n: count, errors: count, erasures: count });

const ImageSchema = z
  .looseObject({
    width: z.number().int().min(1).max(4096),
    height: z.number().int().min(1).max(4096),
    channels: z.union([z.literal(1), z.literal(3)]),
    pixels: z.array(z.number().int().min(0).max(255)),
    correlation: num,
  })
  .refine((im) => im.pixels.length === im.width * im.height * im.channels, 'image pixels do not match width × height × channels');

const WatermarkReportSchema = z.looseObject({
  method: z.string().optional(),
  payloadKind: z.enum(['bits', 'text', 'image', 'triggers']),
  bits: count,
  errors: count,
  erasures: count,
  ber: num,
  pValue: num,
  log10PValue: num,
  threshold: num,
  detected: z.boolean(),
  frozenUnchanged: z.boolean(),
  perTensor: z.array(TensorErrorsSchema),
  message: z.string().optional(),
  image: ImageSchema.optional(),
  keyTensors: count,
  seedSource: z.enum(['random', 'passphrase', 'run-seed']),
  uchida: z.looseObject({ layer: z.string(), lambda: num, rows: count, cols: count }).optional(),
  fcw: z
    .looseObject({
      hits: count, n: count, accuracy: num, target: count, chanceRate: num, mode: z.enum(['direct', 'invisible']), predictions: z.array(z.number()),
      maskEvents: count, perBatch: count, maskFraction: num, maskPeriod: count,
    })
    .optional(),
});

/** StoredTrainOutcome (runsApi.ts) as run.json holds it. */
export const StoredTrainOutcomeSchema = z.looseObject({
  cancelled: z.boolean(),
  steps: count,
  seconds: z.number().min(0),
  imagesPerSecond: nullableNum,
  trainImages: count,
  testImages: count,
  testAccuracy: nullableNum,
  testLoss: nullableNum,
  backend: z.string(),
  watermark: WatermarkReportSchema.optional(),
  diverged: z.looseObject({ step: count, loss: z.string(), checkpointStep: count, message: z.string() }).optional(),
  deviceLoss: z.looseObject({ resumedFromStep: count, from: z.string(), to: z.string(), reason: z.string() }).optional(),
});
