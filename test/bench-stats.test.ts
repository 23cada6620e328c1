import { describe, expect, it } from 'vitest';
import { median, pairedRatios, percentileSorted, sortedSamples, spread } from '../src/bench/stats.js';

describe('bench statistics on known inputs', () => {
  it('median of odd and even counts, unsorted input', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
  it('spread gives median, min and max', () => {
    expect(spread([5, 1, 9, 3])).toEqual({ median: 4, min: 1, max: 9 });
  });
  it('nearest-rank percentiles', () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    expect(percentileSorted(sorted, 50)).toBe(50);
    expect(percentileSorted(sorted, 95)).toBe(95);
    expect(percentileSorted(sorted, 99)).toBe(99);
    expect(percentileSorted(sorted, 100)).toBe(100);
    expect(percentileSorted(Float64Array.of(7), 99)).toBe(7);
    expect(percentileSorted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
  });
  it('sortedSamples sorts only the recorded prefix, numerically', () => {
    const s = new Float64Array(6);
    s.set([10, 2, 33, 1]);
    expect([...sortedSamples(s, 4)]).toEqual([1, 2, 10, 33]);
  });
  it('paired ratios: b/a per round, median of the ratios, not ratio of medians', () => {
    // Machine slows down over rounds; each pair is measured together.
    const a = [100, 50, 20];
    const b = [200, 75, 60];
    const r = pairedRatios(a, b);
    expect(r.ratios).toEqual([2, 1.5, 3]);
    expect(r.median).toBe(2);
    expect(r.min).toBe(1.5);
    expect(r.max).toBe(3);
    // the ratio of medians would say 1.5
    expect(median(b) / median(a)).toBe(1.5);
  });
  it('paired ratios skip a zero baseline and unmatched rounds', () => {
    expect(pairedRatios([0, 10, 10], [5, 20]).ratios).toEqual([2]);
  });
});
