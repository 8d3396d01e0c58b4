import { RawText, UsageError } from './args';
import { TRAIN_USAGE, trainCommand } from './commands/train';
import { VERIFY_USAGE, verifyCommand } from './commands/verify';
import { DATA_USAGE, dataCommand } from './commands/data';
import { ATTACK_USAGE, attackCommand } from './commands/attack';
import { LANDSCAPE_USAGE, landscapeCommand } from './commands/landscape';
import { COMPARE_SHARPNESS_USAGE, compareSharpnessCommand } from './commands/compareSharpness';
import { SWEEP_USAGE, sweepCommand } from './commands/sweep';
import { EXPORT_USAGE, exportCommand } from './commands/export';

const USAGE = `wmlab: WaterMAS Lab on the command line (same engine as the browser lab)

  ${TRAIN_USAGE.split('\n').join('\n  ')}
  ${VERIFY_USAGE.split('\n').join('\n  ')}
  ${EXPORT_USAGE.split('\n').join('\n  ')}
  ${ATTACK_USAGE.split('\n').join('\n  ')}
  ${LANDSCAPE_USAGE.split('\n').join('\n  ')}
  ${COMPARE_SHARPNESS_USAGE.split('\n').join('\n  ')}
  ${SWEEP_USAGE.split('\n').join('\n  ')}
  ${DATA_USAGE}

Progress goes to stderr; the result JSON is printed last on stdout.`;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const processIo: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/** Each command's usage, for `wmlab COMMAND --help`. */
const COMMAND_USAGE: Readonly<Record<string, string>> = {
  train: TRAIN_USAGE, verify: VERIFY_USAGE, attack: ATTACK_USAGE, landscape: LANDSCAPE_USAGE,
  'compare-sharpness': COMPARE_SHARPNESS_USAGE, sweep: SWEEP_USAGE, data: DATA_USAGE, export: EXPORT_USAGE,
};

/** Runs one wmlab command; returns the process exit code (0 ok, 1 failure, 2 bad arguments). */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  const log = (line: string) => io.err(`${line}\n`);
  if (command !== undefined && COMMAND_USAGE[command] !== undefined && (rest.includes('--help') || rest.includes('-h'))) {
    io.out(`${COMMAND_USAGE[command]}\n`);
    return 0;
  }
  try {
    let result: unknown;
    switch (command) {
      case 'train':
        result = await trainCommand(rest, log);
        break;
      case 'verify':
        result = await verifyCommand(rest);
        break;
      case 'export':
        result = await exportCommand(rest);
        break;
      case 'attack':
        result = await attackCommand(rest, log);
        break;
      case 'landscape':
        result = await landscapeCommand(rest, log);
        break;
      case 'compare-sharpness':
        result = await compareSharpnessCommand(rest, log);
        break;
      case 'sweep':
        result = await sweepCommand(rest, log);
        break;
      case 'data':
        result = await dataCommand(rest, log);
        break;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}" (try: wmlab help)`);
    }
    io.out(result instanceof RawText ? result.text : `${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (e) {
    const err = e as Error;
    io.err(`wmlab ${command ?? ''}: ${oneLine(err.message)}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}
