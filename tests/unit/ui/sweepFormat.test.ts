import { describe, expect, it } from 'vitest';
import { formatSignificant, formatSweepValue, sweepCsvName } from '../../../src/ui/runs/comparison/sweepFormat';

describe('imported sweep table: display of values', () => {
  it('shows accuracies as percentages, p-values in scientific notation, the rest to 4 significant digits', () => {
    expect(formatSweepValue('testAccuracy', 0.4375)).toBe('43.8 %');
    expect(formatSweepValue('noise@1 accuracy', 0.40625)).toBe('40.6 %');
    expect(formatSweepValue('noise@1 triggerAccuracy', 1)).toBe('100.0 %');
    expect(formatSweepValue('flipAccuracyDrop', 0.05)).toBe('5.0 %');
    expect(formatSweepValue('pValue', 2.3283064365386963e-10)).toBe('2.33e-10');
    expect(formatSweepValue('pValue', 0)).toBe('0');
    expect(formatSweepValue('ber', 0.123456)).toBe('0.1235');
    expect(formatSweepValue('keyVsControl', 4.000000001)).toBe('4');
    expect(formatSweepValue('trainSeconds', 1234.5678)).toBe('1235');
    expect(formatSweepValue('replicas', 4)).toBe('4');
    expect(formatSweepValue('detected', true)).toBe('yes');
    expect(formatSweepValue('verifyDetected', false)).toBe('no');
    expect(formatSweepValue('twin', null)).toBe('–');
    expect(formatSweepValue('id', 'replicas=0-0a1b2c')).toBe('replicas=0-0a1b2c');
    expect(formatSignificant(1.5e-5)).toBe('1.500e-5');
    expect(formatSignificant(123456.7)).toBe('1.235e+5');
    expect(formatSignificant(123456)).toBe('123456');
  });

  it('names the CSV after the sweep', () => {
    expect(sweepCsvName(['tiny R study'])).toBe('tiny-R-study-table.csv');
    expect(sweepCsvName(['a', 'b'])).toBe('sweep-table.csv');
    expect(sweepCsvName(['///'])).toBe('sweep-table.csv');
  });
});
