/**
 * A 3 × 5 pixel font for the few characters a number needs (digits, '.', '-', '+', 'e'), enough to
 * label a colour bar without shipping a font: each glyph is five rows of three bits, the high bit
 * on the left. Drawn scaled by an integer factor into an RGB buffer.
 */
const GLYPHS: Readonly<Record<string, readonly number[]>> = {
  '0': [0b111, 0b101, 0b101, 0b101, 0b111],
  '1': [0b010, 0b110, 0b010, 0b010, 0b111],
  '2': [0b111, 0b001, 0b111, 0b100, 0b111],
  '3': [0b111, 0b001, 0b111, 0b001, 0b111],
  '4': [0b101, 0b101, 0b111, 0b001, 0b001],
  '5': [0b111, 0b100, 0b111, 0b001, 0b111],
  '6': [0b111, 0b100, 0b111, 0b101, 0b111],
  '7': [0b111, 0b001, 0b010, 0b010, 0b010],
  '8': [0b111, 0b101, 0b111, 0b101, 0b111],
  '9': [0b111, 0b101, 0b111, 0b001, 0b111],
  '.': [0b000, 0b000, 0b000, 0b000, 0b010],
  '-': [0b000, 0b000, 0b111, 0b000, 0b000],
  '+': [0b000, 0b010, 0b111, 0b010, 0b000],
  e: [0b000, 0b111, 0b101, 0b110, 0b111],
};

export const GLYPH_WIDTH = 3;
export const GLYPH_HEIGHT = 5;
/** Blank columns between glyphs (before scaling). */
const SPACING = 1;

/** Width in pixels of `text` drawn at `scale` (no trailing space). */
export function textWidth(text: string, scale: number): number {
  return text.length === 0 ? 0 : (text.length * (GLYPH_WIDTH + SPACING) - SPACING) * scale;
}

export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** width × height × 3 bytes, row-major. */
  readonly data: Uint8Array;
}

/**
 * Draws `text` with its top-left corner at (x, y); pixels outside the image are skipped.
 * Characters without a glyph are an error, so a label never silently loses a character.
 */
export function drawText(image: RgbImage, text: string, x: number, y: number, scale: number, rgb: readonly [number, number, number]): void {
  let left = x;
  for (const ch of text) {
    const glyph = GLYPHS[ch];
    if (!glyph) throw new RangeError(`drawText: no glyph for '${ch}' (the font has digits, '.', '-', '+' and 'e')`);
    for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
      for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
        if (!((glyph[gy]! >> (GLYPH_WIDTH - 1 - gx)) & 1)) continue;
        for (let sy = 0; sy < scale; sy++) {
          for (let sx = 0; sx < scale; sx++) {
            const px = left + gx * scale + sx;
            const py = y + gy * scale + sy;
            if (px < 0 || py < 0 || px >= image.width || py >= image.height) continue;
            image.data.set(rgb, (py * image.width + px) * 3);
          }
        }
      }
    }
    left += (GLYPH_WIDTH + SPACING) * scale;
  }
}

/** A short label for a colour-bar end: up to 3 significant digits, exponent form when needed. */
export function formatLabel(value: number): string {
  if (value === 0 || Object.is(value, -0)) return '0';
  const abs = Math.abs(value);
  const text = abs >= 1e-3 && abs < 1e4 ? String(Number(value.toPrecision(3))) : value.toExponential(2).replace(/\.?0+e/, 'e');
  return text;
}
