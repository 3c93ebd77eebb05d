import { colormapTable, type ColormapName } from '../colormap.js';
import { element } from '../dom.js';
import { formatNumber } from '../format.js';
import { seriesColor } from '../series-colors.js';

export interface MapScale {
  readonly min: number;
  readonly max: number;
  readonly colormap: ColormapName;
}

/** Paints a rows × cols map through a colour map over a fixed range (values outside are clamped). */
function paintMap(canvas: HTMLCanvasElement, map: Float32Array, rows: number, cols: number, scale: MapScale): void {
  if (map.length !== rows * cols) throw new Error(`map has ${map.length} values, expected ${rows} × ${cols}`);
  canvas.width = cols;
  canvas.height = rows;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('this browser cannot draw on a canvas');
  const table = colormapTable(scale.colormap);
  const span = scale.max - scale.min;
  const image = context.createImageData(cols, rows);
  for (let i = 0; i < map.length; i++) {
    const v = map[i]!;
    const level = span > 0 && Number.isFinite(v) ? Math.max(0, Math.min(255, Math.round(((v - scale.min) / span) * 255))) : 0;
    image.data[4 * i] = table[3 * level]!;
    image.data[4 * i + 1] = table[3 * level + 1]!;
    image.data[4 * i + 2] = table[3 * level + 2]!;
    image.data[4 * i + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}

/** A horizontal colour bar with its range written under it. */
function colorBar(scale: MapScale, label: string): HTMLElement {
  const canvas = element('canvas', { className: 'color-bar', attrs: { 'aria-hidden': 'true', 'data-testid': 'color-bar' } });
  canvas.width = 256;
  canvas.height = 1;
  const context = canvas.getContext('2d');
  if (context) {
    const table = colormapTable(scale.colormap);
    const image = context.createImageData(256, 1);
    for (let i = 0; i < 256; i++) {
      image.data.set([table[3 * i]!, table[3 * i + 1]!, table[3 * i + 2]!, 255], 4 * i);
    }
    context.putImageData(image, 0, 0);
  }
  const mid = (scale.min + scale.max) / 2;
  return element('figure', { className: 'color-scale', attrs: { role: 'img', 'aria-label': `${label}: ${formatNumber(scale.min)} (dark) to ${formatNumber(scale.max)} (bright)` } }, [
    element('figcaption', { text: label }),
    canvas,
    element('div', { className: 'color-ticks', attrs: { 'aria-hidden': 'true' } }, [
      element('span', { text: formatNumber(scale.min) }),
      element('span', { text: formatNumber(mid) }),
      element('span', { text: formatNumber(scale.max) }),
    ]),
  ]);
}

export interface AbundanceGridInput {
  readonly rows: number;
  readonly cols: number;
  readonly maps: readonly Float32Array[];
  readonly names: readonly string[];
  readonly error: Float32Array | null;
}

/**
 * The abundance maps side by side on one shared colour scale (0 to the largest abundance of any
 * endmember), so maps compare at a glance, and the per-pixel reconstruction error on its own scale.
 * A click on any map picks that pixel.
 */
export class AbundanceGrid {
  readonly element: HTMLElement;
  private readonly captions: HTMLElement[] = [];
  private readonly canvases: HTMLCanvasElement[] = [];

  constructor(
    private readonly input: AbundanceGridInput,
    onPick: (row: number, col: number) => void,
  ) {
    const { rows, cols, maps, error } = input;
    let max = 0;
    for (const map of maps) for (const v of map) if (Number.isFinite(v) && v > max) max = v;
    const shared: MapScale = { min: 0, max: max > 0 ? max : 1, colormap: 'viridis' };
    const figures = maps.map((map, p) => {
      const canvas = element('canvas', { className: 'map', attrs: { role: 'img', 'data-testid': 'abundance-map', 'data-max': String(shared.max) } });
      paintMap(canvas, map, rows, cols, shared);
      const caption = element('figcaption', {}, [this.swatch(p), element('span', { text: input.names[p] ?? `Endmember ${p + 1}`, attrs: { 'data-testid': 'abundance-name' } })]);
      this.captions.push(caption);
      this.canvases.push(canvas);
      this.wirePick(canvas, onPick);
      return element('figure', { className: 'map-figure' }, [canvas, caption]);
    });
    const parts: HTMLElement[] = [element('div', { className: 'map-grid', attrs: { 'data-testid': 'abundance-grid' } }, figures), colorBar(shared, 'Abundance (shared scale)')];
    if (error) {
      let errMax = 0;
      for (const v of error) if (Number.isFinite(v) && v > errMax) errMax = v;
      const scale: MapScale = { min: 0, max: errMax > 0 ? errMax : 1, colormap: 'hot' };
      const canvas = element('canvas', { className: 'map', attrs: { role: 'img', 'data-testid': 'error-map', 'aria-label': `Reconstruction error per pixel, 0 to ${formatNumber(scale.max)} (RMS over the bands)` } });
      paintMap(canvas, error, rows, cols, scale);
      this.wirePick(canvas, onPick);
      parts.push(
        element('div', { className: 'error-figure' }, [
          element('figure', { className: 'map-figure' }, [canvas, element('figcaption', { text: 'Reconstruction error' })]),
          colorBar(scale, 'RMS error over the bands'),
        ]),
      );
    }
    this.element = element('div', { className: 'abundances' }, parts);
    this.setNames(input.names);
  }

  setNames(names: readonly string[]): void {
    this.captions.forEach((caption, p) => {
      const name = names[p] ?? `Endmember ${p + 1}`;
      const span = caption.querySelector('[data-testid="abundance-name"]');
      if (span) span.textContent = name;
      this.canvases[p]?.setAttribute('aria-label', `Abundance of ${name}, ${this.input.rows} by ${this.input.cols} pixels, on the shared scale`);
    });
  }

  private swatch(p: number): HTMLElement {
    const swatch = element('span', { className: 'lane-swatch', attrs: { 'aria-hidden': 'true' } });
    swatch.style.background = seriesColor(p);
    return swatch;
  }

  private wirePick(canvas: HTMLCanvasElement, onPick: (row: number, col: number) => void): void {
    canvas.addEventListener('click', (event) => {
      const rect = canvas.getBoundingClientRect();
      const col = Math.floor(((event.clientX - rect.left) / rect.width) * this.input.cols);
      const row = Math.floor(((event.clientY - rect.top) / rect.height) * this.input.rows);
      if (row >= 0 && col >= 0 && row < this.input.rows && col < this.input.cols) onPick(row, col);
    });
  }
}
