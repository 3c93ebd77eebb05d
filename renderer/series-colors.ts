/**
 * Line colours for endmembers, from the Okabe–Ito palette (distinguishable with the common colour
 * vision deficiencies); its yellow is left out for want of contrast on white.
 */
const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'] as const;

export function seriesColor(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}
