import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decode } from 'fast-png';
import { abundancePng, abundancePngLayout, BACKGROUND, INVALID, sharedRange } from '../../app/image/abundance-png.js';
import { formatLabel } from '../../app/image/digit-font.js';
import { VIRIDIS, viridisLevel } from '../../app/image/viridis.js';

// The abundance PNGs are decoded back with fast-png's decoder and their pixels compared with the
// values they show: colour index monotone in the value, the range's ends at the bar's ends.

function pixel(png: { width: number; data: ArrayLike<number>; channels: number }, x: number, y: number): [number, number, number] {
  const i = (y * png.width + x) * png.channels;
  return [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
}

/** The first viridis level with exactly this colour, or -1. */
function levelOf(rgb: readonly number[]): number {
  for (let i = 0; i < 256; i++) if (VIRIDIS[3 * i] === rgb[0] && VIRIDIS[3 * i + 1] === rgb[1] && VIRIDIS[3 * i + 2] === rgb[2]) return i;
  return -1;
}

test('viridis: matplotlib endpoints, lightness rising with the level', () => {
  // matplotlib's viridis starts at #440154 and ends at #fde725 (its _viridis_data, first and last
  // rows); the polynomial fit we evaluate is within 4/255 of them.
  const close = (a: readonly number[], b: readonly number[]): boolean => a.every((x, i) => Math.abs(x - b[i]!) <= 5);
  assert.ok(close([...VIRIDIS.subarray(0, 3)], [0x44, 0x01, 0x54]), `level 0 is ${[...VIRIDIS.subarray(0, 3)]}`);
  assert.ok(close([...VIRIDIS.subarray(765, 768)], [0xfd, 0xe7, 0x25]), `level 255 is ${[...VIRIDIS.subarray(765, 768)]}`);
  // Perceptual ordering: Rec. 709 luma never falls by more than rounding from one level to the next.
  let previous = -Infinity;
  for (let i = 0; i < 256; i++) {
    const luma = 0.2126 * VIRIDIS[3 * i]! + 0.7152 * VIRIDIS[3 * i + 1]! + 0.0722 * VIRIDIS[3 * i + 2]!;
    assert.ok(luma >= previous - 0.6, `luma falls at level ${i}: ${previous} → ${luma}`);
    previous = Math.max(previous, luma);
  }
  assert.equal(viridisLevel(0.5, 0, 1), 128);
  assert.equal(viridisLevel(-3, 0, 1), 0);
  assert.equal(viridisLevel(7, 0, 1), 255);
  assert.equal(viridisLevel(2, 2, 2), 0, 'a constant map sits at the bottom of the scale');
});

test('abundance PNG: size, map colours monotone in the values, colour bar, range in tEXt, invalid pixels grey', () => {
  const rows = 9;
  const cols = 13;
  const map = new Float32Array(rows * cols);
  // A ramp with a twist, so that neither rows nor columns alone order the values.
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) map[r * cols + c] = Math.sin(0.37 * r * cols + 0.91 * c) * 0.6 + 0.3;
  const valid = new Uint8Array(rows * cols).fill(1);
  valid[5 * cols + 4] = 0;
  const range = { min: -0.3, max: 0.9 };
  const bytes = abundancePng(map, rows, cols, { range, validMask: valid, title: 'soil abundance' });
  const png = decode(bytes);
  const layout = abundancePngLayout(rows, cols);
  assert.equal(png.width, layout.width);
  assert.equal(png.height, layout.height);
  assert.equal(png.channels, 3);
  assert.equal(png.depth, 8);
  assert.ok(layout.zoom > 1 && rows * layout.zoom >= 96, `a small map is enlarged (zoom ${layout.zoom})`);
  assert.equal(png.text.Minimum, '-0.3');
  assert.equal(png.text.Maximum, '0.9');
  assert.equal(png.text['Colour map'], 'viridis');
  assert.equal(png.text.Title, 'soil abundance');

  // Every map pixel: the centre of its zoomed square, decoded to a viridis level.
  const samples: { value: number; level: number }[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const x = layout.mapX + c * layout.zoom + (layout.zoom >> 1);
      const y = layout.mapY + r * layout.zoom + (layout.zoom >> 1);
      const rgb = pixel(png, x, y);
      if (!valid[r * cols + c]) {
        assert.deepEqual(rgb, [...INVALID], 'masked pixel drawn grey');
        continue;
      }
      const level = levelOf(rgb);
      assert.ok(level >= 0, `pixel (${r}, ${c}) has colour ${rgb}, not on the viridis scale`);
      // Independent of the module: the level is the value's position on the stated range.
      const expected = Math.round((255 * (map[r * cols + c]! - range.min)) / (range.max - range.min));
      assert.ok(Math.abs(level - expected) <= 1 || levelOf([...VIRIDIS.subarray(3 * expected, 3 * expected + 3)]) === level, `pixel (${r}, ${c}): level ${level}, expected ${expected}`);
      samples.push({ value: map[r * cols + c]!, level });
    }
  }
  samples.sort((a, b) => a.value - b.value);
  for (let i = 1; i < samples.length; i++) assert.ok(samples[i]!.level >= samples[i - 1]!.level, 'colour index monotone in the value');
  assert.ok(samples.at(-1)!.level - samples[0]!.level > 150, 'the map spans most of the scale');

  // The bar: top = max (level 255), bottom = min (level 0), monotone in between.
  const barX = layout.barX + (layout.barWidth >> 1);
  assert.equal(levelOf(pixel(png, barX, layout.barY)), 255);
  assert.equal(levelOf(pixel(png, barX, layout.barY + layout.barHeight - 1)), 0);
  let last = 256;
  for (let y = layout.barY; y < layout.barY + layout.barHeight; y++) {
    const level = levelOf(pixel(png, barX, y));
    assert.ok(level >= 0 && level <= last, `bar row ${y}: level ${level} after ${last}`);
    last = level;
  }
  // The labels: ink beside the top and the bottom of the bar, blank paper in the middle.
  const inked = (y0: number, y1: number): boolean => {
    for (let y = y0; y < y1; y++) for (let x = layout.labelX; x < png.width; x++) if (pixel(png, x, y).join() !== BACKGROUND.join()) return true;
    return false;
  };
  assert.ok(inked(layout.barY, layout.barY + 10), 'max label drawn at the top');
  assert.ok(inked(layout.barY + layout.barHeight - 10, layout.barY + layout.barHeight), 'min label drawn at the bottom');
  assert.ok(!inked(layout.barY + 20, layout.barY + layout.barHeight - 20), 'nothing between the labels');
});

test('shared range: 0…1 for fractions, the maps\' joint min…max otherwise (valid pixels only)', () => {
  const a = new Float32Array([0.5, 2, 7, -1]);
  const b = new Float32Array([3, NaN, 1, 100]);
  assert.deepEqual(sharedRange([a, b], true), { min: 0, max: 1 });
  assert.deepEqual(sharedRange([a, b], false), { min: -1, max: 100 });
  assert.deepEqual(sharedRange([a, b], false, new Uint8Array([1, 1, 1, 0])), { min: 0.5, max: 7 });
});

test('labels: short numbers for the bar ends', () => {
  assert.equal(formatLabel(0), '0');
  assert.equal(formatLabel(1), '1');
  assert.equal(formatLabel(0.12345), '0.123');
  assert.equal(formatLabel(1234.5), '1230');
  assert.equal(formatLabel(-0.5), '-0.5');
  assert.equal(formatLabel(123456), '1.23e+5');
  assert.equal(formatLabel(0.00001234), '1.23e-5');
});

test('abundance PNG refuses inconsistent input', () => {
  assert.throws(() => abundancePng(new Float32Array(5), 2, 3, { range: { min: 0, max: 1 } }), /5 values, expected 2×3/);
  assert.throws(() => abundancePng(new Float32Array(6), 2, 3, { range: { min: 1, max: 0 } }), /invalid colour range/);
  assert.throws(() => abundancePng(new Float32Array(6), 2, 3, { range: { min: 0, max: 1 }, validMask: new Uint8Array(2) }), /mask has 2 entries/);
});
