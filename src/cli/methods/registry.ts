/**
 * The watermark methods of `wmlab train`, one line each (the CLI's counterpart of
 * engine/methods/registry.ts and ui/watermark/methods/registry.ts). A new method is a module here
 * (its CliMethod) and a line below; a method of the protocol without one does not compile.
 * commands/train.ts looks a method up here instead of switching on its name.
 */
import type { WatermarkMethodName } from '../../protocol/api';
import { WATERMARK_METHOD_NAMES } from '../../protocol/watermarkDefaults';
import { UsageError } from '../args';
import { FCW_CLI } from './fcw';
import { NONE_CLI } from './none';
import type { CliMethod, TrainOptions } from './types';
import { UCHIDA_CLI } from './uchida';
import { WATERMAS_CLI } from './watermas';

export const CLI_METHODS: { readonly [M in WatermarkMethodName]: CliMethod<M> } = {
  none: NONE_CLI,
  watermas: WATERMAS_CLI,
  uchida: UCHIDA_CLI,
  fcw: FCW_CLI,
};

/** The values of --method, in the protocol's order ('none' first, the default). */
export const TRAIN_METHODS = WATERMARK_METHOD_NAMES;

/** Every method, in the order of TRAIN_METHODS. */
export const CLI_METHOD_LIST: readonly CliMethod[] = TRAIN_METHODS.map((id) => CLI_METHODS[id]);

/** The method of `--method id`. */
export function cliMethod(id: WatermarkMethodName): CliMethod {
  return CLI_METHODS[id];
}

/** Which methods each method-specific flag belongs to (in the methods' order). */
export const FLAG_METHODS: ReadonlyMap<string, readonly WatermarkMethodName[]> = (() => {
  const table = new Map<string, WatermarkMethodName[]>();
  for (const m of CLI_METHOD_LIST) for (const flag of m.flags) table.set(flag, [...(table.get(flag) ?? []), m.id]);
  return table;
})();

/** The methods' flags as parseOptions specs (every one takes a value). */
export const METHOD_FLAG_OPTIONS: Readonly<Record<string, { readonly type: 'string' }>> = Object.fromEntries([...FLAG_METHODS.keys()].map((flag) => [flag, { type: 'string' } as const]));

/** The methods that support --checkpoint. */
export const CHECKPOINT_METHODS: readonly WatermarkMethodName[] = CLI_METHOD_LIST.filter((m) => m.checkpoint).map((m) => m.id);

/** Usage error for a method-specific flag given with another method (e.g. --triggers with --method none). */
export function checkMethodFlags(method: WatermarkMethodName, o: TrainOptions): void {
  for (const [flag, methods] of FLAG_METHODS) {
    if (o[flag] !== undefined && !methods.includes(method)) {
      throw new UsageError(`--${flag} needs --method ${methods.join(' or ')}${method === 'none' ? '' : ` (not ${method})`}`);
    }
  }
}

/** Usage error for --checkpoint with a method that cannot resume. */
export function checkCheckpointSupport(method: WatermarkMethodName, checkpointDir: string | undefined): void {
  if (checkpointDir !== undefined && !CLI_METHODS[method].checkpoint) {
    throw new UsageError(`--checkpoint supports --method ${CHECKPOINT_METHODS.join(' and ')}, not ${method}`);
  }
}
