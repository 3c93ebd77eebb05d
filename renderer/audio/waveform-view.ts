import type { WaveformEnvelope } from '../analysis/analysis-protocol.js';
import { element } from '../dom.js';
import { sizeCanvas } from '../plots/hidpi-canvas.js';
import { Redraw } from '../plots/redraw.js';
import { themeColors } from '../theme.js';
import type { TimeWindow } from './timeline.js';

/** A canvas drawn over the lanes' time window, redrawn (once a frame at most) when the window moves. */
abstract class TimeCanvas {
  readonly element: HTMLCanvasElement;
  protected view: TimeWindow = { start: 0, end: 1 };
  private readonly redraw: Redraw;

  constructor(className: string, attrs: Record<string, string>) {
    this.element = element('canvas', { className, attrs });
    this.redraw = new Redraw(this.element, () => this.draw());
  }

  setView(view: TimeWindow): void {
    this.view = view;
    this.redraw.schedule();
  }

  dispose(): void {
    this.redraw.dispose();
  }

  protected abstract draw(): void;
}

/**
 * The mixture's waveform: for each pixel column, the minimum and maximum of the samples it covers
 * (from the per-block envelope), so every peak stays visible at any zoom.
 */
export class WaveformView extends TimeCanvas {
  constructor(
    private readonly envelope: WaveformEnvelope,
    private readonly sampleRate: number,
    label: string,
  ) {
    super('waveform', { role: 'img', 'aria-label': label, 'data-testid': 'waveform' });
  }

  protected draw(): void {
    const canvas = this.element;
    const sized = sizeCanvas(canvas);
    if (!sized) return;
    const { context, width, height, ratio } = sized;
    const colors = themeColors();
    context.clearRect(0, 0, width, height);
    const mid = height / 2;
    context.fillStyle = colors.grid;
    context.fillRect(0, Math.floor(mid), width, Math.max(1, Math.round(ratio)));
    context.fillStyle = colors.waveform;
    const { block, min, max } = this.envelope;
    const blocksPerSecond = this.sampleRate / block;
    const span = this.view.end - this.view.start;
    for (let x = 0; x < width; x++) {
      const t0 = this.view.start + (x / width) * span;
      const t1 = this.view.start + ((x + 1) / width) * span;
      const from = Math.max(0, Math.floor(t0 * blocksPerSecond));
      const to = Math.min(min.length, Math.max(from + 1, Math.ceil(t1 * blocksPerSecond)));
      if (from >= min.length) break;
      let lo = Infinity;
      let hi = -Infinity;
      for (let k = from; k < to; k++) {
        if (min[k]! < lo) lo = min[k]!;
        if (max[k]! > hi) hi = max[k]!;
      }
      if (!(hi >= lo)) continue;
      const top = mid - Math.min(1, hi) * mid;
      const bottom = mid - Math.max(-1, lo) * mid;
      context.fillRect(x, top, 1, Math.max(1, bottom - top));
    }
  }
}

/** Seconds along the top of the lanes, with ticks at round steps for the current zoom. */
export class TimeRuler extends TimeCanvas {
  constructor() {
    super('time-ruler', { 'aria-hidden': 'true' });
  }

  protected draw(): void {
    const sized = sizeCanvas(this.element);
    if (!sized) return;
    const { context, width, height, ratio } = sized;
    context.clearRect(0, 0, width, height);
    const colors = themeColors();
    const span = this.view.end - this.view.start;
    const raw = span / 8;
    const magnitude = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
    context.fillStyle = colors.muted;
    context.strokeStyle = colors.muted;
    context.font = `${11 * ratio}px system-ui, sans-serif`;
    context.textBaseline = 'top';
    const digits = Math.max(0, -Math.floor(Math.log10(step)));
    for (let t = Math.ceil(this.view.start / step) * step; t <= this.view.end; t += step) {
      const x = Math.round(((t - this.view.start) / span) * width);
      context.fillRect(x, height - 6 * ratio, Math.max(1, ratio), 6 * ratio);
      context.fillText(`${t.toFixed(digits)} s`, x + 3 * ratio, 2 * ratio);
    }
  }
}
