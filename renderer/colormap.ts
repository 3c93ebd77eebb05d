/**
 * Viridis (perceptually uniform, readable in grayscale and by most colour-blind viewers) as a
 * 256-entry RGB table, from the degree-6 polynomial fit of the matplotlib map published as CC0
 * by Matt Zucker (shadertoy.com/view/WlfXRN).
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

function channel(t: number, c: 0 | 1 | 2): number {
  let value = 0;
  for (let k = COEFFICIENTS.length - 1; k >= 0; k--) value = value * t + COEFFICIENTS[k]![c];
  return Math.round(255 * Math.min(1, Math.max(0, value)));
}

/** VIRIDIS[3*i .. 3*i+2] is the colour of level i/255. */
export const VIRIDIS: Uint8ClampedArray = (() => {
  const table = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    table[3 * i] = channel(t, 0);
    table[3 * i + 1] = channel(t, 1);
    table[3 * i + 2] = channel(t, 2);
  }
  return table;
})();
