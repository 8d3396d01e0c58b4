/**
 * Import limits for the Verify panel from the page URL: `?verifyLimits=maxTotalBytes:40000,maxJsonDepth:32`
 * (names of the engine's ImportLimits, whole numbers). Our choice: a URL knob rather than a form, for
 * lowering the limits (e.g. to run the malformed corpus under its small limits) or raising them for a
 * very large model, without a rebuild. The worker validates the values; unknown names are refused there.
 */
import type { VerifyCheckOptions } from '../../protocol/api';

/** Parses the `verifyLimits` query parameter of `search` (e.g. location.search); undefined when absent. */
export function limitsFromSearch(search: string): VerifyCheckOptions['limits'] | undefined {
  const raw = new URLSearchParams(search).get('verifyLimits');
  if (!raw) return undefined;
  const out: Record<string, number> = {};
  for (const part of raw.split(',')) {
    const [k, v] = part.split(':');
    if (k && v !== undefined) out[k.trim()] = Number(v);
  }
  return out as VerifyCheckOptions['limits'];
}
