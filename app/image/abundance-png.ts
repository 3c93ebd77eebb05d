/**
 * One abundance map as a PNG a person can read on its own: the map through the viridis colour map
 * (viridis.ts) on a stated range, with a vertical colour bar to its right labelled with the
 * range's ends (digit-font.ts). The same range goes into PNG tEXt chunks (PNG 3rd ed. §11.3.3.3:
 * `Minimum`, `Maximum`, `Colour map`, `Title`, `Software`), so a program can recover values from
 * colours without reading the labels.
 *
 * Small maps are enlarged by an integer factor (nearest neighbour: each map pixel stays a sharp
 * square) so that the bar and its labels fit; abundancePngLayout says where everything is.
 * Encoded by fast-png (image-js; pure JavaScript, runs in Node, browsers and workers).
 */
import { encode } from 'fast-png';
import { drawText, formatLabel, GLYPH_HEIGHT, textWidth, type RgbImage } from './digit-font.js';
import { VIRIDIS, VIRIDIS_LEVELS, viridisLevel } from './viridis.js';

export interface ValueRange {
  readonly min: number;
  readonly max: number;
}

export interface AbundancePngOptions {
  /** The colour scale's ends: min at the bottom of the bar (level 0), max at the top (level 255). */
  readonly range: ValueRange;
  /** Per pixel: 0 where the pixel was not unmixed (drawn grey, outside the scale). Default: all valid. */
  readonly validMask?: Uint8Array | null;
  /** Written in the Title chunk (characters outside Latin-1 become '?'). */
  readonly title?: string;
}

export interface AbundancePngLayout {
  readonly width: number;
  readonly height: number;
  /** Enlargement: map pixel (r, c) covers [x0 + c·zoom, x0 + (c + 1)·zoom) × [y0 + r·zoom, …). */
  readonly zoom: number;
  readonly mapX: number;
  readonly mapY: number;
  /** The colour bar: `barHeight` rows from the top (max, level 255) to the bottom (min, level 0). */
  readonly barX: number;
  readonly barY: number;
  readonly barWidth: number;
  readonly barHeight: number;
  readonly labelX: number;
  readonly labelScale: number;
}

const MARGIN = 8;
const GAP = 12;
const BAR_WIDTH = 16;
const LABEL_GAP = 6;
const LABEL_SCALE = 2;
/** The map is enlarged until it is at least this tall, so two labels fit beside the bar. */
const MIN_MAP_HEIGHT = 96;
/** …but never beyond this zoom (a 1-row map would otherwise become a 96-pixel-high strip of squares). */
const MAX_ZOOM = 16;
/** Room for the longest label formatLabel makes ("-1.23e-10"). */
const LABEL_CHARS = 9;
export const BACKGROUND: readonly [number, number, number] = [255, 255, 255];
export const INVALID: readonly [number, number, number] = [190, 190, 190];
const INK: readonly [number, number, number] = [40, 40, 40];

export function abundancePngLayout(rows: number, cols: number): AbundancePngLayout {
  if (!(Number.isInteger(rows) && Number.isInteger(cols) && rows > 0 && cols > 0)) throw new RangeError(`abundance map: invalid size ${rows}×${cols}`);
  const zoom = Math.min(MAX_ZOOM, Math.max(1, Math.ceil(MIN_MAP_HEIGHT / rows)));
  const mapHeight = rows * zoom;
  const barHeight = Math.max(mapHeight, 2 * GLYPH_HEIGHT * LABEL_SCALE + 4);
  const barX = MARGIN + cols * zoom + GAP;
  const labelX = barX + BAR_WIDTH + LABEL_GAP;
  return {
    width: labelX + textWidth('0'.repeat(LABEL_CHARS), LABEL_SCALE) + MARGIN,
    height: MARGIN + Math.max(mapHeight, barHeight) + MARGIN,
    zoom,
    mapX: MARGIN,
    mapY: MARGIN,
    barX,
    barY: MARGIN,
    barWidth: BAR_WIDTH,
    barHeight,
    labelX,
    labelScale: LABEL_SCALE,
  };
}

/** map: rows × cols values, row-major. Returns the PNG file's bytes (8-bit RGB). */
export function abundancePng(map: Float32Array, rows: number, cols: number, options: AbundancePngOptions): Uint8Array {
  if (map.length !== rows * cols) throw new RangeError(`abundance map has ${map.length} values, expected ${rows}×${cols} = ${rows * cols}`);
  const { min, max } = options.range;
  if (!(Number.isFinite(min) && Number.isFinite(max) && min <= max)) throw new RangeError(`abundance map: invalid colour range ${min}…${max}`);
  const mask = options.validMask ?? null;
  if (mask && mask.length !== map.length) throw new RangeError(`abundance map: the valid-pixel mask has ${mask.length} entries, expected ${map.length}`);
  const layout = abundancePngLayout(rows, cols);
  const image: RgbImage = { width: layout.width, height: layout.height, data: new Uint8Array(layout.width * layout.height * 3) };
  fill(image, 0, 0, image.width, image.height, BACKGROUND);

  const { zoom, mapX, mapY } = layout;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const j = r * cols + c;
      const x = map[j]!;
      const colour = (mask && !mask[j]) || !Number.isFinite(x) ? INVALID : levelColour(viridisLevel(x, min, max));
      fill(image, mapX + c * zoom, mapY + r * zoom, zoom, zoom, colour);
    }
  }

  // The bar: top row level 255 (max) down to level 0 (min) at the bottom row.
  const { barX, barY, barWidth, barHeight } = layout;
  for (let y = 0; y < barHeight; y++) {
    const level = barHeight === 1 ? VIRIDIS_LEVELS - 1 : Math.round(((barHeight - 1 - y) / (barHeight - 1)) * (VIRIDIS_LEVELS - 1));
    fill(image, barX, barY + y, barWidth, 1, levelColour(level));
  }
  const maxLabel = formatLabel(max);
  const minLabel = formatLabel(min);
  drawText(image, maxLabel, layout.labelX, barY, layout.labelScale, INK);
  drawText(image, minLabel, layout.labelX, barY + barHeight - GLYPH_HEIGHT * layout.labelScale, layout.labelScale, INK);

  const text: Record<string, string> = {
    Software: 'NMF Studio',
    'Colour map': 'viridis',
    Minimum: String(min),
    Maximum: String(max),
  };
  if (options.title) text.Title = latin1(options.title);
  return encode({ width: image.width, height: image.height, data: image.data, channels: 3, depth: 8, text });
}

/**
 * The colour range shared by every map of an unmixing, so that colours compare across maps:
 * 0…1 for sum-to-one abundances (fractions), otherwise the smallest and largest finite value over
 * all maps (only valid pixels, when a mask is given).
 */
export function sharedRange(maps: readonly Float32Array[], sumToOne: boolean, validMask: Uint8Array | null = null): ValueRange {
  if (sumToOne) return { min: 0, max: 1 };
  let min = Infinity;
  let max = -Infinity;
  for (const map of maps) {
    for (let j = 0; j < map.length; j++) {
      if (validMask && !validMask[j]) continue;
      const x = map[j]!;
      if (!Number.isFinite(x)) continue;
      if (x < min) min = x;
      if (x > max) max = x;
    }
  }
  return min <= max ? { min, max } : { min: 0, max: 1 };
}

function levelColour(level: number): readonly [number, number, number] {
  return [VIRIDIS[3 * level]!, VIRIDIS[3 * level + 1]!, VIRIDIS[3 * level + 2]!];
}

function fill(image: RgbImage, x: number, y: number, w: number, h: number, rgb: readonly [number, number, number]): void {
  for (let yy = y; yy < y + h; yy++) {
    for (let xx = x; xx < x + w; xx++) image.data.set(rgb, (yy * image.width + xx) * 3);
  }
}

function latin1(text: string): string {
  return text.replace(/[^\u0020-\u007e\u00a0-\u00ff]/g, '?');
}
