import { describe, expect, it } from 'vitest';
import { TRAIN_USAGE } from '../../../src/cli/commands/train';
import { CLI_METHODS, CLI_METHOD_LIST, FLAG_METHODS, checkCheckpointSupport, checkMethodFlags } from '../../../src/cli/methods/registry';
import type { WatermarkMethodName } from '../../../src/protocol/api';
import { WATERMARK_METHOD_NAMES } from '../../../src/protocol/watermarkDefaults';

/** The flags several methods take (the payload and key seed flags and λ): every other flag is one method's. */
const SHARED_FLAGS: Readonly<Record<string, readonly WatermarkMethodName[]>> = {
  lambda: ['watermas', 'uchida'],
  bits: ['watermas', 'uchida'],
  message: ['watermas', 'uchida'],
  'key-seed': ['watermas', 'uchida'],
  passphrase: ['watermas', 'uchida'],
};

// Compile-time: a method of the protocol union without a CLI module fails here (and in registry.ts).
type Unlisted = Exclude<WatermarkMethodName, keyof typeof CLI_METHODS>;
const everyMethodListed: [Unlisted] extends [never] ? true : false = true;

describe('wmlab train: the CLI method registry (src/cli/methods)', () => {
  it('has a module for every method of the protocol, under its own id, in the protocol order', () => {
    expect(everyMethodListed).toBe(true);
    expect(Object.keys(CLI_METHODS).sort()).toEqual([...WATERMARK_METHOD_NAMES].sort());
    for (const id of WATERMARK_METHOD_NAMES) expect(CLI_METHODS[id].id).toBe(id);
    expect(CLI_METHOD_LIST.map((m) => m.id)).toEqual([...WATERMARK_METHOD_NAMES]);
  });

  it("keeps the methods' flags disjoint except the shared ones listed", () => {
    const owners = new Map<string, WatermarkMethodName[]>();
    for (const m of CLI_METHOD_LIST) {
      expect(new Set(m.flags).size, `${m.id} lists a flag twice`).toBe(m.flags.length);
      for (const flag of m.flags) owners.set(flag, [...(owners.get(flag) ?? []), m.id]);
    }
    for (const [flag, methods] of owners) {
      if (methods.length > 1) expect(SHARED_FLAGS[flag], `--${flag} is taken by ${methods.join(' and ')}`).toEqual(methods);
    }
    for (const [flag, methods] of Object.entries(SHARED_FLAGS)) expect(owners.get(flag)).toEqual(methods);
    expect(new Map(FLAG_METHODS)).toEqual(owners);
  });

  it("documents every method's flags in the usage", () => {
    for (const flag of FLAG_METHODS.keys()) expect(TRAIN_USAGE).toContain(`--${flag}`);
    expect(TRAIN_USAGE).toContain(`[--method ${WATERMARK_METHOD_NAMES.join('|')}]`);
  });

  it('refuses another method\'s flags and --checkpoint of a method that cannot resume, word for word', () => {
    expect(() => checkMethodFlags('none', { triggers: '8' })).toThrow(/^--triggers needs --method fcw$/);
    expect(() => checkMethodFlags('fcw', { lambda: '1' })).toThrow(/^--lambda needs --method watermas or uchida \(not fcw\)$/);
    expect(() => checkMethodFlags('uchida', { replicas: '2' })).toThrow(/^--replicas needs --method watermas \(not uchida\)$/);
    expect(() => checkMethodFlags('watermas', { lambda: '1', bits: '8', strength: '0.5' })).not.toThrow();
    expect(() => checkCheckpointSupport('uchida', 'ck')).toThrow(/^--checkpoint supports --method none and watermas, not uchida$/);
    expect(() => checkCheckpointSupport('fcw', undefined)).not.toThrow();
    expect(CLI_METHOD_LIST.filter((m) => m.checkpoint).map((m) => m.id)).toEqual(['none', 'watermas']);
  });

  it("reads each method's flags before any work: usage errors, with the messages of the command line", () => {
    expect(() => CLI_METHODS.uchida.readFlags({ bits: '8', message: 'x' })).toThrow(/^give either --bits or --message, not both$/);
    expect(() => CLI_METHODS.watermas.readFlags({ 'key-seed': 'ab', passphrase: 'p' })).toThrow(/^give either --key-seed or --passphrase, not both$/);
    expect(() => CLI_METHODS.fcw.readFlags({ triggers: '0' })).toThrow(/^--triggers must be >= 1, got 0$/);
    expect(() => CLI_METHODS.watermas.readFlags({ antithetic: 'maybe' })).toThrow(/^--antithetic must be on or off, got "maybe"$/);
    expect(() => CLI_METHODS.watermas.readFlags({ bits: '0' })).toThrow(/^--bits must be >= 1, got 0$/);
    for (const m of CLI_METHOD_LIST) expect(() => m.readFlags({})).not.toThrow();
  });
});
