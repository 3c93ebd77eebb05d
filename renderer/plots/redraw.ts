import { onThemeChange } from '../theme.js';

/**
 * The redraw cycle the canvas views share (waveform, time ruler, spectrogram, image, PCA): draws
 * are coalesced to at most one per animation frame, and the view redraws when its element is
 * resized or the OS switches between light and dark (the colours come from the stylesheet,
 * theme.ts).
 */
export class Redraw {
  private frame = 0;
  private readonly resize: ResizeObserver;
  private readonly stopTheme: () => void;

  /** `beforeResize` runs ahead of the redraw a resize asks for (a view that fits itself to its box). */
  constructor(
    observed: Element,
    private readonly draw: () => void,
    beforeResize?: () => void,
  ) {
    this.resize = new ResizeObserver(() => {
      beforeResize?.();
      this.schedule();
    });
    this.resize.observe(observed);
    this.stopTheme = onThemeChange(() => this.schedule());
  }

  /** Draws at the next animation frame, once however often it is asked before then. */
  schedule(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** Stops observing; a draw still waiting for its frame is dropped. */
  dispose(): void {
    if (this.frame !== 0) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.resize.disconnect();
    this.stopTheme();
  }
}
