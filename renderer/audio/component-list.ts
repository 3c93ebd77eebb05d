import type { SeparationModel } from '../../app/host-api.js';
import { element } from '../dom.js';
import { seriesColor } from '../series-colors.js';
import { onThemeChange, themeColors } from '../theme.js';

/** The drag payload type for a component dropped on a source lane. */
export const COMPONENT_DRAG_TYPE = 'application/x-nmf-component';

/**
 * One card per NMF component: its spectrum (W column, over frequency) and its activation (H row,
 * over the whole recording), coloured by the source it feeds. A card is dragged onto a source lane
 * to move the component there; its Source menu does the same from the keyboard.
 */
export class ComponentList {
  readonly element: HTMLElement;
  private readonly cards: { card: HTMLLIElement; select: HTMLSelectElement; spectrum: HTMLCanvasElement; activation: HTMLCanvasElement }[] = [];
  private assignment: number[];
  private logFrequency = true;
  private readonly stopTheme: () => void;

  constructor(
    private readonly model: SeparationModel,
    private readonly sourceNames: readonly string[],
    private readonly onMove: (component: number, source: number) => void,
  ) {
    this.assignment = [...model.assignment];
    const list = element('ol', { className: 'component-list', attrs: { 'aria-label': 'Components' } });
    for (let k = 0; k < model.components; k++) list.append(this.card(k));
    this.element = element('section', { className: 'components', attrs: { 'aria-labelledby': 'components-title', 'data-testid': 'component-list' } }, [
      element('h3', { text: `${model.components} components`, attrs: { id: 'components-title' } }),
      element('p', { className: 'hint', text: 'Each component is a spectrum (left, over frequency) switched on over time (right). Drag a component onto a source lane, or pick its source, to move it there: the sources are rebuilt at once.' }),
      list,
    ]);
    this.stopTheme = onThemeChange(() => this.drawAll());
  }

  setAssignment(assignment: readonly number[]): void {
    this.assignment = [...assignment];
    this.cards.forEach(({ card, select }, k) => {
      select.value = String(this.assignment[k]);
      card.dataset.source = String(this.assignment[k]);
    });
    this.drawAll();
  }

  setBusy(busy: boolean): void {
    for (const { card, select } of this.cards) {
      select.disabled = busy;
      card.draggable = !busy;
    }
  }

  setLogFrequency(log: boolean): void {
    this.logFrequency = log;
    this.drawAll();
  }

  /** Draws every card now (after the list is in the document and has a size). */
  drawAll(): void {
    this.cards.forEach((_, k) => this.draw(k));
  }

  dispose(): void {
    this.stopTheme();
  }

  private card(k: number): HTMLLIElement {
    const title = `Component ${k + 1}`;
    const selectId = `component-source-${k}`;
    const select = element(
      'select',
      { attrs: { id: selectId, 'aria-label': `Source of ${title.toLowerCase()}`, 'data-testid': 'component-source' } },
      this.sourceNames.map((name, s) => element('option', { text: name, attrs: { value: String(s) } })),
    );
    select.value = String(this.assignment[k]);
    select.addEventListener('change', () => this.onMove(k, Number(select.value)));
    const spectrum = element('canvas', { className: 'component-spectrum', attrs: { role: 'img', 'aria-label': `Spectrum of ${title.toLowerCase()}`, 'data-testid': 'component-spectrum' } });
    const activation = element('canvas', { className: 'component-activation', attrs: { role: 'img', 'aria-label': `Activation of ${title.toLowerCase()} over time`, 'data-testid': 'component-activation' } });
    const card = element(
      'li',
      { className: 'component', attrs: { draggable: 'true', 'data-testid': 'component', 'data-component': String(k), 'data-source': String(this.assignment[k]), title: `${title}: drag onto a source lane to move it` } },
      [element('div', { className: 'component-head' }, [element('strong', { text: `C${k + 1}` }), select]), spectrum, activation],
    );
    card.addEventListener('dragstart', (event) => {
      event.dataTransfer?.setData(COMPONENT_DRAG_TYPE, String(k));
      event.dataTransfer?.setData('text/plain', title);
      if (event.dataTransfer) event.dataTransfer.effectAllowed = 'move';
      card.classList.add('dragged');
    });
    card.addEventListener('dragend', () => card.classList.remove('dragged'));
    this.cards.push({ card, select, spectrum, activation });
    return card;
  }

  private draw(k: number): void {
    const entry = this.cards[k];
    if (!entry) return;
    const { bins, frames, components, spectra, activations, sampleRate } = this.model;
    const color = seriesColor(this.assignment[k] ?? 0);
    const nyquist = sampleRate / 2;
    const minFraction = Math.max(20 / nyquist, 1 / Math.max(1, bins - 1));
    // Spectrum: bin at each pixel column, on the same frequency axis as the spectrograms.
    drawFilled(entry.spectrum, color, (x) => {
      const f = this.logFrequency ? minFraction * (1 / minFraction) ** x : x;
      const b = Math.min(bins - 1, Math.round(f * (bins - 1)));
      return spectra[b * components + k]!;
    });
    drawFilled(entry.activation, color, (x) => activations[k * frames + Math.min(frames - 1, Math.round(x * (frames - 1)))]!);
  }
}

/** A filled curve of y(x) for x in [0, 1], scaled to its own maximum. */
function drawFilled(canvas: HTMLCanvasElement, color: string, y: (x: number) => number): void {
  const ratio = Math.min(2, window.devicePixelRatio || 1);
  const width = Math.floor((canvas.clientWidth || 160) * ratio);
  const height = Math.floor((canvas.clientHeight || 40) * ratio);
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) return;
  const values = Array.from({ length: width }, (_, i) => y(width > 1 ? i / (width - 1) : 0));
  const max = Math.max(...values.filter(Number.isFinite), 0);
  context.clearRect(0, 0, width, height);
  context.fillStyle = themeColors().grid;
  context.fillRect(0, height - 1, width, 1);
  if (!(max > 0)) return;
  context.beginPath();
  context.moveTo(0, height);
  values.forEach((v, i) => context.lineTo(i, height - (Math.max(0, v) / max) * (height - 2)));
  context.lineTo(width - 1, height);
  context.closePath();
  context.globalAlpha = 0.35;
  context.fillStyle = color;
  context.fill();
  context.globalAlpha = 1;
  context.strokeStyle = color;
  context.lineWidth = ratio;
  context.stroke();
}
