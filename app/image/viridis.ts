/**
 * The viridis colour map (van der Walt & Smith, matplotlib 1.5, 2015): perceptually uniform,
 * monotone in lightness, readable in greyscale and by most colour-blind viewers — the colour map
 * a value-to-colour figure should use (Crameri, Shephard & Heron 2020, "The misuse of colour in
 * science communication"). Evaluated from the degree-6 polynomial fit published as CC0 by Matt
 * Zucker (shadertoy.com/view/WlfXRN), the same one renderer/colormap.ts draws the maps with, so an
 * exported PNG matches the workspace.
 */
const COEFFICIENTS: readonly (readonly [number, number, number])[] = [
  [0.2777273272234177, 0.005407344544966578, 0.3340998053353061],
  [0.1050930431085774, 1.404613529898575, 1.384590162594685],
  [-0.3308618287255563, 0.214847559468213, 0.09509516302823659],
  [-4.634230498983486, -5.799100973351585, -19.33244095627987],
  [6.228269936347081, 14.17993336680509, 56.69055260068105],
  [4.776384997670288, -13.74514537774601, -65.35303263337234],
  [-5.435455855934631, 4.645852612178535, 26.3124352495832],
];

/** Number of levels in the table. */
export const VIRIDIS_LEVELS = 256;

function channel(t: number, c: 0 | 1 | 2): number {
  let value = 0;
  for (let k = COEFFICIENTS.length - 1; k >= 0; k--) value = value * t + COEFFICIENTS[k]![c];
  return Math.round(255 * Math.min(1, Math.max(0, value)));
}

/** RGB of level i at [3i, 3i + 2], level i standing for the fraction i / 255 of the range. */
export const VIRIDIS: Uint8Array = (() => {
  const out = new Uint8Array(VIRIDIS_LEVELS * 3);
  for (let i = 0; i < VIRIDIS_LEVELS; i++) {
    const t = i / (VIRIDIS_LEVELS - 1);
    for (const c of [0, 1, 2] as const) out[3 * i + c] = channel(t, c);
  }
  return out;
})();

/**
 * The level (0…255) of value x on the range min…max: linear, clamped at both ends. A range of
 * zero width (a constant map) puts every value at level 0.
 */
export function viridisLevel(x: number, min: number, max: number): number {
  const span = max - min;
  if (!(span > 0)) return 0;
  const t = (x - min) / span;
  return Math.round(Math.min(1, Math.max(0, t)) * (VIRIDIS_LEVELS - 1));
}
