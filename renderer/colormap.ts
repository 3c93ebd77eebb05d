/**
 * Colour maps as 256-entry RGB tables: TABLE[3*i .. 3*i+2] is the colour of level i/255.
 *
 * - viridis: perceptually uniform, readable in grayscale and by most colour-blind viewers; the
 *   degree-6 polynomial fit of the matplotlib map published as CC0 by Matt Zucker
 *   (shadertoy.com/view/WlfXRN).
 * - hot: matplotlib's `hot` (black → red → yellow → white; its segment data: red ramps over
 *   [0, 0.365], green over [0.365, 0.746], blue over [0.746, 1]), the audio editors' habit.
 * - gray: linear luminance.
 */
export type ColormapName = 'viridis' | 'hot' | 'gray';

export const COLORMAPS: readonly { readonly name: ColormapName; readonly label: string }[] = [
  { name: 'viridis', label: 'Viridis' },
  { name: 'hot', label: 'Hot' },
  { name: 'gray', label: 'Gray' },
];

const VIRIDIS_COEFFICIENTS: readonly (readonly [number, number, number])[] = [
  [0.2777273272234177, 0.005407344544966578, 0.3340998053353061],
  [0.1050930431085774, 1.404613529898575, 1.384590162594685],
  [-0.3308618287255563, 0.214847559468213, 0.09509516302823659],
  [-4.634230498983486, -5.799100973351585, -19.33244095627987],
  [6.228269936347081, 14.17993336680509, 56.69055260068105],
  [4.776384997670288, -13.74514537774601, -65.35303263337234],
  [-5.435455855934631, 4.645852612178535, 26.3124352495832],
];

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));

function viridis(t: number, c: 0 | 1 | 2): number {
  let value = 0;
  for (let k = VIRIDIS_COEFFICIENTS.length - 1; k >= 0; k--) value = value * t + VIRIDIS_COEFFICIENTS[k]![c];
  return value;
}

function hot(t: number, c: 0 | 1 | 2): number {
  const [from, to] = c === 0 ? [0, 0.365] : c === 1 ? [0.365, 0.746] : [0.746, 1];
  return (t - from) / (to - from);
}

function table(channel: (t: number, c: 0 | 1 | 2) => number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    for (const c of [0, 1, 2] as const) out[3 * i + c] = Math.round(255 * clamp01(channel(t, c)));
  }
  return out;
}

const VIRIDIS: Uint8ClampedArray = table(viridis);
const TABLES: Readonly<Record<ColormapName, Uint8ClampedArray>> = {
  viridis: VIRIDIS,
  hot: table(hot),
  gray: table((t) => t),
};

export function colormapTable(name: ColormapName): Uint8ClampedArray {
  return TABLES[name];
}

export function isColormapName(value: string): value is ColormapName {
  return value in TABLES;
}
