import { element, svgElement } from './dom.js';
import { formatNumber } from './format.js';
import { linearScale, niceTicks, paddedDomain, tickStep } from './plot-scale.js';
import { seriesColor } from './series-colors.js';

export interface SpectraData {
  readonly endmembers: readonly (readonly number[])[];
  readonly wavelengths: readonly number[] | null;
  readonly wavelengthUnits: string | null;
}

const WIDTH = 640;
const HEIGHT = 320;
const MARGIN = { left: 64, right: 16, top: 16, bottom: 48 } as const;

/** x positions: the band centres when the file gave one per band, else band numbers from 1. */
function bandPositions(data: SpectraData, bands: number): { xs: number[]; label: string } {
  if (data.wavelengths && data.wavelengths.length === bands) {
    return { xs: [...data.wavelengths], label: data.wavelengthUnits ? `Wavelength (${data.wavelengthUnits})` : 'Wavelength' };
  }
  return { xs: Array.from({ length: bands }, (_, i) => i + 1), label: 'Band' };
}

/** A line plot of the endmember spectra, one path per endmember, with axes and a legend. */
export function createSpectraPlot(data: SpectraData): HTMLElement {
  const bands = data.endmembers[0]?.length ?? 0;
  const { xs, label } = bandPositions(data, bands);
  const xDomain = paddedDomain(xs);
  const yMax = Math.max(0, ...data.endmembers.flat().filter(Number.isFinite));
  const yStep = tickStep(0, yMax > 0 ? yMax : 1, 5);
  const yDomain: [number, number] = [0, Math.ceil((yMax > 0 ? yMax : 1) / yStep) * yStep];
  const x = linearScale(xDomain, [MARGIN.left, WIDTH - MARGIN.right]);
  const y = linearScale(yDomain, [HEIGHT - MARGIN.bottom, MARGIN.top]);
  const titleId = `spectra-title-${Math.random().toString(36).slice(2)}`;

  const svg = svgElement('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    class: 'spectra-plot',
    role: 'img',
    'aria-labelledby': titleId,
    'data-testid': 'spectra-plot',
  });
  svg.append(svgElement('title', { id: titleId }, `Spectra of ${data.endmembers.length} endmembers against ${label.toLowerCase()}`));

  const grid = svgElement('g', { class: 'grid' });
  const axes = svgElement('g', { class: 'axes' });
  for (const tick of niceTicks(yDomain[0], yDomain[1], 5)) {
    grid.append(svgElement('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(tick), y2: y(tick) }));
    axes.append(svgElement('text', { x: MARGIN.left - 8, y: y(tick), class: 'tick-label y' }, formatNumber(tick)));
  }
  for (const tick of niceTicks(xDomain[0], xDomain[1], 8)) {
    axes.append(svgElement('line', { x1: x(tick), x2: x(tick), y1: HEIGHT - MARGIN.bottom, y2: HEIGHT - MARGIN.bottom + 5 }));
    axes.append(svgElement('text', { x: x(tick), y: HEIGHT - MARGIN.bottom + 18, class: 'tick-label x' }, formatNumber(tick)));
  }
  axes.append(svgElement('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: HEIGHT - MARGIN.bottom, y2: HEIGHT - MARGIN.bottom }));
  axes.append(svgElement('line', { x1: MARGIN.left, x2: MARGIN.left, y1: MARGIN.top, y2: HEIGHT - MARGIN.bottom }));
  axes.append(svgElement('text', { x: (MARGIN.left + WIDTH - MARGIN.right) / 2, y: HEIGHT - 8, class: 'axis-label' }, label));
  const yLabelAt = { x: 16, y: (MARGIN.top + HEIGHT - MARGIN.bottom) / 2 };
  axes.append(
    svgElement('text', { x: yLabelAt.x, y: yLabelAt.y, transform: `rotate(-90 ${yLabelAt.x} ${yLabelAt.y})`, class: 'axis-label' }, 'Endmember value'),
  );

  const lines = svgElement('g', { class: 'lines' });
  data.endmembers.forEach((spectrum, index) => {
    const points = spectrum.map((value, band) => `${x(xs[band]!).toFixed(2)},${y(Number.isFinite(value) ? value : 0).toFixed(2)}`);
    lines.append(svgElement('path', { d: `M${points.join('L')}`, class: 'spectrum', stroke: seriesColor(index), 'data-endmember': index }));
  });
  svg.append(grid, axes, lines);

  const legend = element(
    'ul',
    { className: 'legend', attrs: { 'aria-label': 'Legend' } },
    data.endmembers.map((_, index) => element('li', {}, [colorSwatch(index), `Endmember ${index + 1}`])),
  );
  return element('figure', { className: 'spectra' }, [svg, legend]);
}

/** A short line in the endmember's colour, shared by the legend and the abundance maps. */
export function colorSwatch(index: number): SVGSVGElement {
  const swatch = svgElement('svg', { class: 'swatch', viewBox: '0 0 20 10', 'aria-hidden': 'true' });
  swatch.append(svgElement('line', { x1: 1, x2: 19, y1: 5, y2: 5, stroke: seriesColor(index) }));
  return swatch;
}
