import uPlot from 'uplot';
import { formatNumber } from '../format.js';
import { onThemeChange, themeColors } from '../theme.js';

export interface LineSeries {
  readonly label: string;
  readonly color: string;
  readonly width?: number;
  readonly dash?: readonly number[];
  /** Draw the points as dots rather than a line (for sparse series). */
  readonly points?: boolean;
}

export interface LinePlotOptions {
  /** What the plot shows, for screen readers (the canvas is not readable). */
  readonly description: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly height: number;
  readonly logY?: boolean;
  /** Fixed y range; default: from the data. */
  readonly yRange?: readonly [number, number];
}

type Column = ArrayLike<number | null>;

/** Short tick labels: 1e+6 rather than 1.00e+6, so a log axis fits its column. */
function tickLabel(value: number): string {
  const magnitude = Math.abs(value);
  return value !== 0 && (magnitude >= 1e5 || magnitude < 1e-3) ? value.toExponential(0) : formatNumber(value);
}

/**
 * A line plot drawn by uPlot (small, fast canvas plots: leeoniya/uPlot), themed from the page's
 * colours and resized with its container. The container carries data-points (x values),
 * data-series (y series) and data-x-min/max so that tests can check what is drawn.
 */
export class LinePlot {
  private plot: uPlot | null = null;
  private xs: number[] = [];
  private ys: (number | null)[][] = [];
  private readonly resize = new ResizeObserver(() => this.fit());
  private readonly stopTheme: () => void;

  constructor(
    private readonly container: HTMLElement,
    private readonly options: LinePlotOptions,
    private series: readonly LineSeries[],
  ) {
    container.classList.add('line-plot');
    container.setAttribute('role', 'img');
    container.setAttribute('aria-label', options.description);
    this.resize.observe(container);
    this.stopTheme = onThemeChange(() => this.rebuild());
    this.rebuild();
  }

  setSeries(series: readonly LineSeries[]): void {
    this.series = series;
    this.rebuild();
  }

  setData(xs: ArrayLike<number>, ys: readonly Column[]): void {
    this.xs = Array.from(xs);
    this.ys = ys.map((column) => Array.from(column, (v) => (v === null || Number.isFinite(v) ? v : null)));
    this.container.dataset.points = String(this.xs.length);
    this.container.dataset.series = String(this.ys.length);
    if (this.xs.length > 0) {
      this.container.dataset.xMin = String(Math.min(...this.xs));
      this.container.dataset.xMax = String(Math.max(...this.xs));
    }
    if (this.plot && this.ys.length === this.series.length) this.plot.setData(this.data());
    else this.rebuild();
  }

  setDescription(text: string): void {
    this.container.setAttribute('aria-label', text);
  }

  destroy(): void {
    this.resize.disconnect();
    this.stopTheme();
    this.plot?.destroy();
    this.plot = null;
  }

  private data(): uPlot.AlignedData {
    return [this.xs, ...this.series.map((_, i) => this.ys[i] ?? this.xs.map(() => null))];
  }

  private width(): number {
    return Math.max(160, Math.floor(this.container.clientWidth || 320));
  }

  private fit(): void {
    if (!this.plot) return;
    const width = this.width();
    if (width !== this.plot.width) this.plot.setSize({ width, height: this.options.height });
  }

  private rebuild(): void {
    this.plot?.destroy();
    const colors = themeColors();
    const axis = (label: string): uPlot.Axis => ({
      label,
      stroke: colors.text,
      grid: { stroke: colors.grid, width: 1 },
      ticks: { stroke: colors.grid, width: 1 },
      values: (_u, values) => values.map((v) => (v === null ? '' : tickLabel(v))),
      labelSize: 18,
      font: '12px system-ui, sans-serif',
      labelFont: '12px system-ui, sans-serif',
    });
    const yRange = this.options.yRange;
    const options: uPlot.Options = {
      width: this.width(),
      height: this.options.height,
      scales: {
        x: { time: false },
        y: this.options.logY ? { distr: 3, log: 10 } : yRange ? { range: [yRange[0], yRange[1]] } : {},
      },
      axes: [axis(this.options.xLabel), { ...axis(this.options.yLabel), size: 56 }],
      cursor: { drag: { x: true, y: false } },
      legend: { show: true, live: false },
      series: [
        { label: this.options.xLabel },
        ...this.series.map(
          (s): uPlot.Series => ({
            label: s.label,
            stroke: s.color,
            width: s.width ?? 1.8,
            ...(s.dash ? { dash: [...s.dash] } : {}),
            points: { show: s.points ?? false, size: 5, fill: s.color },
            spanGaps: false,
          }),
        ),
      ],
    };
    this.plot = new uPlot(options, this.data(), this.container);
  }
}
