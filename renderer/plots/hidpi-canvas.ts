/** A 2-D canvas sized to its CSS box at the screen's pixel ratio (capped at 2, enough for crisp lines). */
export interface SizedCanvas {
  readonly context: CanvasRenderingContext2D;
  /** Size in device pixels. */
  readonly width: number;
  readonly height: number;
  /** Device pixels per CSS pixel. */
  readonly ratio: number;
}

/**
 * Resizes the canvas's backing store to its layout size × devicePixelRatio (only when it changed,
 * since assigning width or height clears the canvas) and returns its 2-D context; null while the
 * canvas is not laid out (hidden) or has no 2-D context.
 */
export function sizeCanvas(canvas: HTMLCanvasElement): SizedCanvas | null {
  const ratio = Math.min(2, window.devicePixelRatio || 1);
  const width = Math.floor(canvas.clientWidth * ratio);
  const height = Math.floor(canvas.clientHeight * ratio);
  if (width === 0 || height === 0) return null;
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const context = canvas.getContext('2d');
  return context ? { context, width, height, ratio } : null;
}
