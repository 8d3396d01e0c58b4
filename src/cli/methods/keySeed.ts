/** The payload and key seed flags WaterMAS and Uchida share. */
import { randomSeed, seedFromHex, seedFromPassphrase } from '../../engine/watermark';
import { UsageError } from '../args';
import type { TrainOptions } from './types';

/** Usage errors for --bits with --message and --key-seed with --passphrase. */
export function checkPayloadAndSeedFlags(o: TrainOptions): void {
  if (o.bits !== undefined && o.message !== undefined) throw new UsageError('give either --bits or --message, not both');
  if (o['key-seed'] !== undefined && o.passphrase !== undefined) throw new UsageError('give either --key-seed or --passphrase, not both');
}

/** The secret key seed: --key-seed HEX, --passphrase TEXT, or a fresh random one. */
export async function keySeedFrom(o: TrainOptions): Promise<Uint8Array> {
  const hex = o['key-seed'] as string | undefined;
  const pass = o.passphrase as string | undefined;
  return hex !== undefined ? seedFromHex(hex) : pass !== undefined ? await seedFromPassphrase(pass) : randomSeed();
}
