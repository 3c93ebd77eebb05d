import { VIRIDIS } from '../app/image/viridis.js';

/**
 * Colour maps as 256-entry RGB tables: TABLE[3*i .. 3*i+2] is the colour of level i/255.
 *
 * - viridis: perceptually uniform, readable in grayscale and by most colour-blind viewers
 *   (app/image/viridis.ts, shared with the exported abundance PNGs).
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

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));

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

const TABLES: Readonly<Record<ColormapName, Uint8ClampedArray>> = {
  // The one viridis table, shared with the exported PNGs (app/image/viridis.ts) so they match the views.
  viridis: new Uint8ClampedArray(VIRIDIS),
  hot: table(hot),
  gray: table((t) => t),
};

export function colormapTable(name: ColormapName): Uint8ClampedArray {
  return TABLES[name];
}

export function isColormapName(value: string): value is ColormapName {
  return value in TABLES;
}
