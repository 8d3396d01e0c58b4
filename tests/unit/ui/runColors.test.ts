import { describe, expect, it } from 'vitest';
import { LANE_COLORS, RUN_PALETTE, runColors } from '../../../src/ui/common/runColors';

describe('one colour per run', () => {
  it('keeps compare lanes in their colours and gives the others palette colours in creation order, whatever the list order', () => {
    const runs = [
      { id: 'r3', createdAt: '2026-12-06T10:03:00Z' },
      { id: 'b', createdAt: '2026-12-06T10:02:00Z', lane: 'B' as const },
      { id: 'a', createdAt: '2026-12-06T10:01:00Z', lane: 'A' as const },
      { id: 'r1', createdAt: '2026-12-06T09:00:00Z' },
    ];
    const colors = runColors(runs);
    expect(colors.get('a')).toBe(LANE_COLORS.A);
    expect(colors.get('b')).toBe(LANE_COLORS.B);
    expect(colors.get('r1')).toBe(RUN_PALETTE[0]);
    expect(colors.get('r3')).toBe(RUN_PALETTE[1]);
    expect(runColors([...runs].reverse())).toEqual(colors);
    // The palette never reuses the lanes' colours, so a plain run is never mistaken for A or B.
    expect(RUN_PALETTE).not.toContain(LANE_COLORS.A);
    expect(RUN_PALETTE).not.toContain(LANE_COLORS.B);
  });
});
