/**
 * Line colours for sources and endmembers, from the Okabe–Ito palette (distinguishable with the
 * common colour vision deficiencies); its yellow is left out for want of contrast on white, and
 * its black is swapped for a grey that also reads on the dark theme.
 */
const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#7f7f7f'] as const;

export function seriesColor(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}
