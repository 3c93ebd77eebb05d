import { element } from '../dom.js';
import { sizeCanvas } from '../plots/hidpi-canvas.js';
import { Redraw } from '../plots/redraw.js';
import { themeColors } from '../theme.js';

/**
 * A raster (rows × cols RGBA) on a canvas with zoom and pan: the wheel zooms around the pointer, a
 * drag pans, a click picks a pixel (marked with a square). Pixels stay sharp when magnified, as in
 * ENVI's image windows. ←/→/↑/↓ move the picked pixel when the view has focus.
 */
export class ImageView {
  readonly element: HTMLCanvasElement;
  private readonly source = document.createElement('canvas');
  private scale = 1;
  private offsetX = 0;
  private offsetY = 0;
  private fitted = false;
  private selected: { row: number; col: number } | null = null;
  private readonly redraw: Redraw;

  constructor(
    private readonly rows: number,
    private readonly cols: number,
    label: string,
    private readonly onPick: (row: number, col: number) => void,
  ) {
    this.element = element('canvas', { className: 'image-view', attrs: { role: 'img', tabindex: '0', 'aria-label': label, 'data-testid': 'image-view' } });
    this.source.width = cols;
    this.source.height = rows;
    this.redraw = new Redraw(
      this.element,
      () => this.draw(),
      () => {
        if (!this.fitted) this.fit();
      },
    );
    this.wire();
  }

  setPixels(rgba: Uint8ClampedArray): void {
    const context = this.source.getContext('2d');
    if (!context) throw new Error('this browser cannot draw on a canvas');
    const image = context.createImageData(this.cols, this.rows);
    image.data.set(rgba);
    context.putImageData(image, 0, 0);
    this.element.dataset.painted = String(Number(this.element.dataset.painted ?? '0') + 1);
    this.redraw.schedule();
  }

  select(row: number, col: number): void {
    this.selected = { row, col };
    this.element.dataset.selected = `${row},${col}`;
    this.redraw.schedule();
  }

  fit(): void {
    const width = this.element.clientWidth;
    const height = this.element.clientHeight;
    if (width === 0 || height === 0) return;
    this.scale = Math.min(width / this.cols, height / this.rows);
    this.offsetX = (width - this.cols * this.scale) / 2;
    this.offsetY = (height - this.rows * this.scale) / 2;
    this.fitted = true;
    this.redraw.schedule();
  }

  zoom(factor: number, x = this.element.clientWidth / 2, y = this.element.clientHeight / 2): void {
    const scale = Math.min(64, Math.max(0.1, this.scale * factor));
    this.offsetX = x - ((x - this.offsetX) * scale) / this.scale;
    this.offsetY = y - ((y - this.offsetY) * scale) / this.scale;
    this.scale = scale;
    this.redraw.schedule();
  }

  dispose(): void {
    this.redraw.dispose();
  }

  private pixelAt(clientX: number, clientY: number): { row: number; col: number } | null {
    const rect = this.element.getBoundingClientRect();
    const col = Math.floor((clientX - rect.left - this.offsetX) / this.scale);
    const row = Math.floor((clientY - rect.top - this.offsetY) / this.scale);
    return row >= 0 && col >= 0 && row < this.rows && col < this.cols ? { row, col } : null;
  }

  private wire(): void {
    const canvas = this.element;
    let drag: { x: number; y: number; ox: number; oy: number; moved: boolean; id: number } | null = null;
    canvas.addEventListener(
      'wheel',
      (event) => {
        event.preventDefault();
        const rect = canvas.getBoundingClientRect();
        this.zoom(Math.exp(-event.deltaY * 0.002), event.clientX - rect.left, event.clientY - rect.top);
      },
      { passive: false },
    );
    canvas.addEventListener('pointerdown', (event) => {
      if (event.button !== 0) return;
      drag = { x: event.clientX, y: event.clientY, ox: this.offsetX, oy: this.offsetY, moved: false, id: event.pointerId };
      canvas.setPointerCapture(event.pointerId);
    });
    canvas.addEventListener('pointermove', (event) => {
      if (!drag || drag.id !== event.pointerId) return;
      const dx = event.clientX - drag.x;
      const dy = event.clientY - drag.y;
      if (Math.hypot(dx, dy) > 3) drag.moved = true;
      if (!drag.moved) return;
      this.offsetX = drag.ox + dx;
      this.offsetY = drag.oy + dy;
      this.redraw.schedule();
    });
    canvas.addEventListener('pointerup', (event) => {
      if (!drag || drag.id !== event.pointerId) return;
      const clicked = !drag.moved;
      drag = null;
      const pixel = clicked ? this.pixelAt(event.clientX, event.clientY) : null;
      if (pixel) this.onPick(pixel.row, pixel.col);
    });
    canvas.addEventListener('pointercancel', () => (drag = null));
    canvas.addEventListener('keydown', (event) => {
      const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
      const move = moves[event.key];
      if (move) {
        const { row, col } = this.selected ?? { row: Math.floor(this.rows / 2), col: Math.floor(this.cols / 2) };
        this.onPick(Math.min(this.rows - 1, Math.max(0, row + move[0])), Math.min(this.cols - 1, Math.max(0, col + move[1])));
      } else if (event.key === '+' || event.key === '=') this.zoom(1.5);
      else if (event.key === '-' || event.key === '_') this.zoom(1 / 1.5);
      else if (event.key === '0') this.fit();
      else return;
      event.preventDefault();
    });
  }

  private draw(): void {
    const canvas = this.element;
    const sized = sizeCanvas(canvas);
    if (!sized) return;
    const { context, width, height, ratio } = sized;
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.clearRect(0, 0, width, height);
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.imageSmoothingEnabled = false;
    context.drawImage(this.source, this.offsetX, this.offsetY, this.cols * this.scale, this.rows * this.scale);
    if (this.selected) {
      const x = this.offsetX + this.selected.col * this.scale;
      const y = this.offsetY + this.selected.row * this.scale;
      const size = Math.max(this.scale, 6);
      const pad = (size - this.scale) / 2;
      context.lineWidth = 2;
      context.strokeStyle = '#ffffff';
      context.strokeRect(x - pad - 1, y - pad - 1, size + 2, size + 2);
      context.strokeStyle = themeColors().playhead;
      context.strokeRect(x - pad, y - pad, size, size);
    }
  }
}
