/**
 * The time window every audio view shows (mixture, sources, ruler), so that zooming or panning one
 * moves them all, as in a multitrack editor. Views subscribe and redraw; interactions on a view go
 * through attach(): wheel zooms around the pointer (shift+wheel or a horizontal wheel pans), a drag
 * pans, a click seeks; with the view focused, ←/→ pan and +/− zoom.
 */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

/** Narrowest window: 20 ms, a few STFT frames. */
const MIN_SPAN = 0.02;

export class Timeline {
  private window: TimeWindow;
  private readonly listeners = new Set<(window: TimeWindow) => void>();

  constructor(private duration: number) {
    this.window = { start: 0, end: Math.max(duration, MIN_SPAN) };
  }

  get view(): TimeWindow {
    return this.window;
  }

  get total(): number {
    return this.duration;
  }

  onChange(listener: (window: TimeWindow) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(start: number, end: number): void {
    const total = Math.max(this.duration, MIN_SPAN);
    let span = Math.min(total, Math.max(MIN_SPAN, end - start));
    let from = Math.min(Math.max(0, start), total - span);
    if (!Number.isFinite(from)) from = 0;
    if (!Number.isFinite(span)) span = total;
    if (from === this.window.start && from + span === this.window.end) return;
    this.window = { start: from, end: from + span };
    for (const listener of [...this.listeners]) listener(this.window);
  }

  /** Zooms by `factor` (< 1 zooms in) keeping `anchor` (seconds) where it is on screen. */
  zoom(factor: number, anchor = (this.window.start + this.window.end) / 2): void {
    const { start, end } = this.window;
    const span = (end - start) * factor;
    const frac = (anchor - start) / (end - start);
    this.set(anchor - frac * span, anchor - frac * span + span);
  }

  pan(seconds: number): void {
    const { start, end } = this.window;
    this.set(start + seconds, end + seconds);
  }

  fit(): void {
    this.set(0, this.duration);
  }

  /** Seconds at a horizontal position within an element showing the window. */
  timeAt(element: HTMLElement, clientX: number): number {
    const rect = element.getBoundingClientRect();
    const frac = rect.width > 0 ? (clientX - rect.left) / rect.width : 0;
    return this.window.start + Math.min(1, Math.max(0, frac)) * (this.window.end - this.window.start);
  }

  /** Wires a view's pointer, wheel and key interactions; returns the cleanup. */
  attach(element: HTMLElement, onSeek: (seconds: number) => void): () => void {
    let drag: { x: number; start: number; end: number; moved: boolean; id: number } | null = null;
    const wheel = (event: WheelEvent): void => {
      event.preventDefault();
      const span = this.window.end - this.window.start;
      const horizontal = event.shiftKey ? event.deltaY : event.deltaX;
      if (Math.abs(horizontal) > Math.abs(event.shiftKey ? 0 : event.deltaY)) {
        this.pan((horizontal / Math.max(1, element.clientWidth)) * span);
      } else {
        this.zoom(Math.exp(event.deltaY * 0.002), this.timeAt(element, event.clientX));
      }
    };
    const down = (event: PointerEvent): void => {
      if (event.button !== 0) return;
      drag = { x: event.clientX, start: this.window.start, end: this.window.end, moved: false, id: event.pointerId };
      element.setPointerCapture(event.pointerId);
    };
    const move = (event: PointerEvent): void => {
      if (!drag || event.pointerId !== drag.id) return;
      const dx = event.clientX - drag.x;
      if (Math.abs(dx) > 3) drag.moved = true;
      if (!drag.moved) return;
      const seconds = (dx / Math.max(1, element.clientWidth)) * (drag.end - drag.start);
      this.set(drag.start - seconds, drag.end - seconds);
    };
    const up = (event: PointerEvent): void => {
      if (!drag || event.pointerId !== drag.id) return;
      const clicked = !drag.moved;
      drag = null;
      if (clicked) onSeek(this.timeAt(element, event.clientX));
    };
    const key = (event: KeyboardEvent): void => {
      const span = this.window.end - this.window.start;
      if (event.key === 'ArrowLeft') this.pan(-span / 10);
      else if (event.key === 'ArrowRight') this.pan(span / 10);
      else if (event.key === '+' || event.key === '=') this.zoom(0.5);
      else if (event.key === '-' || event.key === '_') this.zoom(2);
      else return;
      event.preventDefault();
    };
    element.addEventListener('wheel', wheel, { passive: false });
    element.addEventListener('pointerdown', down);
    element.addEventListener('pointermove', move);
    element.addEventListener('pointerup', up);
    element.addEventListener('pointercancel', () => (drag = null));
    element.addEventListener('keydown', key);
    return () => {
      element.removeEventListener('wheel', wheel);
      element.removeEventListener('pointerdown', down);
      element.removeEventListener('pointermove', move);
      element.removeEventListener('pointerup', up);
      element.removeEventListener('keydown', key);
    };
  }
}
