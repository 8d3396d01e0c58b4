import { setupCifar10 } from '../../engine/data/sources';
import { nodeDataFs } from '../nodeFs';
import { num, parseOptions } from '../args';

export const DATA_USAGE = 'wmlab data [--target public/datasets/cifar10] [--from DIR] [--no-download] [--timeout SECONDS]';

/** Downloads with a time limit (no network here must fail fast, not hang the start command). */
export function fetchWithTimeout(timeoutMs: number) {
  return async (url: string): Promise<Uint8Array> => {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`HTTP ${res.status} for ${url}`);
    return new Uint8Array(await res.arrayBuffer());
  };
}

/**
 * `wmlab data`: fills the target folder with CIFAR-10 from, in order, the files already
 * there, $CIFAR10_DIR (or --from), the official download; otherwise reports that the lab
 * will use its embedded synthetic set.
 */
export async function dataCommand(argv: string[], log: (line: string) => void): Promise<Record<string, unknown>> {
  const o = parseOptions(argv, { target: { type: 'string' }, from: { type: 'string' }, 'no-download': { type: 'boolean' }, timeout: { type: 'string' } });
  const targetDir = o.target ?? 'public/datasets/cifar10';
  const envDir = o.from ?? process.env.CIFAR10_DIR;
  const timeoutMs = 1000 * num(o.timeout, 'timeout', { min: 1, max: 3600, default: 120 });
  const result = await setupCifar10({
    targetDir,
    envDir,
    fs: nodeDataFs,
    fetchBytes: o['no-download'] ? undefined : fetchWithTimeout(timeoutMs),
    log, // it says where the data came from, once (the outcome is also in the JSON on stdout)
  });
  return { target: targetDir, ...result };
}
