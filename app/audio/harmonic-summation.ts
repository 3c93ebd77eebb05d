/**
 * Pitch of a magnitude spectrum by harmonic summation (Hermes, "Measurement of pitch by
 * subharmonic summation", JASA 83(1), 1988): the f0 on a 1/120-octave grid that maximises
 * Σ_h A(h·f0)/√h over its first partials, A(f) the spectrum's amplitude near f (the largest bin
 * within ±1 bin for the grouping; the largest free spectral peak for the splitting). A candidate
 * whose fundamental is weak next to its 2nd or 3rd partial is scaled down, which keeps the sum
 * from choosing a subharmonic (every partial of f0 is also a partial of f0/2).
 */
const F0_RANGE_HZ = [50, 2000] as const;
const F0_STEP = 2 ** (1 / 120);
/** Partials summed for the salience. */
export const SALIENCE_PARTIALS = 8;

/** A magnitude spectrum of `bins` = N/2 + 1 bins from 0 Hz to `nyquist`. */
export interface SpectrumGrid {
  readonly binHz: number;
  readonly nyquist: number;
}

export function spectrumGrid(bins: number, sampleRate: number): SpectrumGrid {
  const nyquist = sampleRate / 2;
  return { nyquist, binHz: nyquist / Math.max(1, bins - 1) };
}

/** Largest magnitude within ±1 bin of `hz` (0 outside the spectrum). */
export function peakNear(column: Float64Array, grid: SpectrumGrid, hz: number): number {
  const centre = Math.round(hz / grid.binHz);
  let max = 0;
  for (let j = centre - 1; j <= centre + 1; j++) if (j >= 0 && j < column.length && column[j]! > max) max = column[j]!;
  return max;
}

/** The most salient f0 of a W column in Hz, A(f) = peakNear; 0 when the column is silent. */
export function salientF0(column: Float64Array, grid: SpectrumGrid): number {
  return salientF0Of((hz) => peakNear(column, grid, hz), grid);
}

/** The most salient f0 in Hz for the amplitude function A; 0 when A is 0 everywhere. */
export function salientF0Of(amplitude: (hz: number) => number, grid: SpectrumGrid): number {
  let f0 = 0;
  let best = 0;
  for (let f = F0_RANGE_HZ[0]; f <= Math.min(F0_RANGE_HZ[1], grid.nyquist / 2); f *= F0_STEP) {
    let score = 0;
    let strongest = 0;
    for (let h = 1; h <= SALIENCE_PARTIALS && h * f < grid.nyquist; h++) {
      const a = amplitude(h * f);
      score += a / Math.sqrt(h);
      if (h <= 3 && a > strongest) strongest = a;
    }
    if (strongest > 0) score *= Math.min(1, (2 * amplitude(f)) / strongest);
    if (score > best) {
      best = score;
      f0 = f;
    }
  }
  return f0;
}

/**
 * Bins of the partials of f0 (partials 1 … `partials` below Nyquist, ±1 bin around each, or the
 * centre bin alone when partials are under 4 bins apart, so a low f0 cannot claim every bin).
 * Calls visit(bin) once per bin.
 */
export function forEachPartialBin(f0: number, grid: SpectrumGrid, bins: number, partials: number, visit: (bin: number) => void): void {
  if (!(f0 > 0)) return;
  const half = f0 / grid.binHz >= 4 ? 1 : 0;
  let last = -1;
  for (let h = 1; h <= partials && h * f0 < grid.nyquist; h++) {
    const centre = Math.round((h * f0) / grid.binHz);
    for (let j = Math.max(centre - half, last + 1); j <= centre + half && j < bins; j++) {
      if (j < 0) continue;
      visit(j);
      last = j;
    }
  }
}
