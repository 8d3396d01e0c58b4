/** `--method none`: plain training (no key, no report fields; resumable). */
import type { CliMethod } from './types';

export const NONE_CLI: CliMethod<'none'> = {
  id: 'none',
  flags: [],
  checkpoint: true,
  readFlags: () => ({
    start: async () => ({ runMethod: null, report: async () => ({}) }),
  }),
};
