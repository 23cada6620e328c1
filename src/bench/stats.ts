// Statistics for `bench`: medians, percentiles and ratios taken pair by pair.

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** Nearest-rank percentile (p in 0..100) of values sorted ascending. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Sorted copy of the first `count` samples. */
export function sortedSamples(samples: Float64Array, count: number): Float64Array {
  return samples.slice(0, count).sort();
}

/**
 * Ratios b[i]/a[i] of runs made side by side (round i ran A then B), and their spread. Pairing cancels
 * the drift of a shared machine that a ratio of medians would keep.
 */
export function pairedRatios(a: readonly number[], b: readonly number[]): Spread & { ratios: number[] } {
  const n = Math.min(a.length, b.length);
  const ratios: number[] = [];
  for (let i = 0; i < n; i++) if (a[i]! > 0) ratios.push(b[i]! / a[i]!);
  return { ...spread(ratios), ratios };
}
