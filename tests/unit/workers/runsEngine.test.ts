import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { EngineService } from '../../../src/workers/engineService';

describe('engine service: runs API', () => {
  it('starts with the stored list and refuses unknown runs with a clear message', async () => {
    const engine = new EngineService('http://localhost');
    expect(Array.isArray(await engine.listRuns())).toBe(true);
    await expect(engine.selectRun('nope')).rejects.toThrow(/no run with id "nope"/);
    await expect(engine.importRun(new Uint8Array([1, 2, 3]).buffer)).rejects.toThrow(/not a zip/);
  });
});
