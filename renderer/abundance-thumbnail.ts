import { VIRIDIS } from './colormap.js';
import { element } from './dom.js';
import { formatNumber } from './format.js';
import { colorSwatch } from './spectra-plot.js';

function finiteRange(values: Float32Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? { min, max } : { min: 0, max: 0 };
}

/** Paints a rows×cols map in viridis, scaled to its own min..max (a flat map is all dark). */
export function paintAbundance(canvas: HTMLCanvasElement, map: Float32Array, rows: number, cols: number): { min: number; max: number } {
  if (map.length !== rows * cols) throw new Error(`abundance map has ${map.length} values, expected ${rows}×${cols}`);
  canvas.width = cols;
  canvas.height = rows;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('this browser cannot draw on a canvas');
  const range = finiteRange(map);
  const span = range.max - range.min;
  const image = context.createImageData(cols, rows);
  for (let i = 0; i < map.length; i++) {
    const v = map[i]!;
    const level = span > 0 && Number.isFinite(v) ? Math.round(((v - range.min) / span) * 255) : 0;
    image.data[4 * i] = VIRIDIS[3 * level]!;
    image.data[4 * i + 1] = VIRIDIS[3 * level + 1]!;
    image.data[4 * i + 2] = VIRIDIS[3 * level + 2]!;
    image.data[4 * i + 3] = 255;
  }
  context.putImageData(image, 0, 0);
  return range;
}

/** A captioned thumbnail of one endmember's abundance map. */
export function createAbundanceThumbnail(index: number, map: Float32Array, rows: number, cols: number): HTMLElement {
  const canvas = element('canvas', { className: 'abundance-map', attrs: { 'data-testid': 'abundance-map', role: 'img' } });
  const { min, max } = paintAbundance(canvas, map, rows, cols);
  const name = `Endmember ${index + 1}`;
  canvas.setAttribute('aria-label', `Abundance of ${name}, ${rows} by ${cols} pixels, from ${formatNumber(min)} (dark) to ${formatNumber(max)} (bright)`);
  return element('figure', { className: 'abundance' }, [
    canvas,
    element('figcaption', {}, [colorSwatch(index), element('span', { text: name }), element('span', { className: 'range', text: `${formatNumber(min)} – ${formatNumber(max)}` })]),
  ]);
}
