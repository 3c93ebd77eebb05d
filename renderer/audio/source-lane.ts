import type { SpectrogramLevels } from '../analysis/analysis-protocol.js';
import { element } from '../dom.js';
import { formatPercent } from '../format.js';
import { seriesColor } from '../series-colors.js';
import { COMPONENT_DRAG_TYPE } from './component-list.js';
import { SpectrogramView, type SpectrogramOptions } from './spectrogram-view.js';
import type { TimeWindow } from './timeline.js';
import type { TrackState } from './transport.js';

export interface SourceLaneHandlers {
  onSolo(index: number): void;
  onMute(index: number): void;
  onSave(index: number): void;
  onComponentDropped(component: number, source: number): void;
  /** An example clip of this source dropped from the OS (guided mode). */
  onClipDropped(file: File, source: number): void;
}

/** A separated source as a lane: name, energy share, solo/mute/save, and its own spectrogram. */
export class SourceLane {
  readonly element: HTMLElement;
  readonly body: HTMLElement;
  readonly spectrogram: SpectrogramView;
  private readonly share: HTMLElement;
  private readonly solo: HTMLButtonElement;
  private readonly mute: HTMLButtonElement;
  private readonly save: HTMLButtonElement;
  private readonly clips: HTMLElement;

  constructor(
    readonly index: number,
    readonly name: string,
    options: SpectrogramOptions,
    handlers: SourceLaneHandlers,
  ) {
    const swatch = element('span', { className: 'lane-swatch', attrs: { 'aria-hidden': 'true' } });
    swatch.style.background = seriesColor(index);
    this.share = element('span', { className: 'lane-share', attrs: { 'data-testid': 'source-share' } });
    this.solo = element('button', { className: 'toggle', text: 'S', attrs: { type: 'button', 'aria-pressed': 'false', 'aria-label': `Solo ${name}`, title: `Solo ${name}: hear only soloed sources`, 'data-testid': 'solo' } });
    this.mute = element('button', { className: 'toggle', text: 'M', attrs: { type: 'button', 'aria-pressed': 'false', 'aria-label': `Mute ${name}`, title: `Mute ${name}`, 'data-testid': 'mute' } });
    this.save = element('button', { text: 'Save', attrs: { type: 'button', 'aria-label': `Save ${name} as WAV`, title: `Download ${name} as a WAV file`, 'data-testid': 'save-source' } });
    this.solo.addEventListener('click', () => handlers.onSolo(index));
    this.mute.addEventListener('click', () => handlers.onMute(index));
    this.save.addEventListener('click', () => handlers.onSave(index));
    this.spectrogram = new SpectrogramView(`Spectrogram of ${name}`, options);
    this.body = element('div', { className: 'lane-body', attrs: { tabindex: '0', 'aria-label': `${name}: click to seek, drag to pan, wheel or +/− to zoom; drop a component here to move it to this source, or a WAV clip of this source alone to guide it` } }, [
      this.spectrogram.element,
    ]);
    const header = element('div', { className: 'lane-header' }, [
      element('div', { className: 'lane-title' }, [swatch, element('strong', { text: name, attrs: { 'data-testid': 'source-name' } })]),
      this.share,
      element('div', { className: 'lane-buttons' }, [this.solo, this.mute, this.save]),
      (this.clips = element('div', { className: 'lane-clips', attrs: { 'data-testid': 'lane-clips' } })),
    ]);
    this.element = element('div', { className: 'lane source-lane', attrs: { 'data-testid': 'source-lane', 'data-source': String(index), role: 'group', 'aria-label': `Source ${name}` } }, [header, this.body]);

    // A component card dropped here moves to this source; a file from the OS becomes its guide clip
    // (the drop is marked handled, so the window's drop handler does not open it as a new input).
    const isFile = (event: DragEvent): boolean => event.dataTransfer?.types.includes('Files') ?? false;
    const accepts = (event: DragEvent): boolean => (event.dataTransfer?.types.includes(COMPONENT_DRAG_TYPE) ?? false) || isFile(event);
    this.element.addEventListener('dragover', (event) => {
      if (!accepts(event)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = isFile(event) ? 'copy' : 'move';
      this.element.classList.add('drop-target');
    });
    this.element.addEventListener('dragleave', (event) => {
      if (event.relatedTarget instanceof Node && this.element.contains(event.relatedTarget)) return;
      this.element.classList.remove('drop-target');
    });
    this.element.addEventListener('drop', (event) => {
      if (!accepts(event)) return;
      event.preventDefault();
      this.element.classList.remove('drop-target');
      if (isFile(event)) {
        const file = event.dataTransfer?.files[0];
        if (file) handlers.onClipDropped(file, index);
        return;
      }
      event.stopPropagation();
      const component = Number(event.dataTransfer?.getData(COMPONENT_DRAG_TYPE));
      if (Number.isInteger(component)) handlers.onComponentDropped(component, index);
    });
  }

  update(energyShare: number, state: TrackState, audible: boolean): void {
    this.share.textContent = `${formatPercent(energyShare)} of the energy`;
    this.solo.setAttribute('aria-pressed', String(state.soloed));
    this.mute.setAttribute('aria-pressed', String(state.muted));
    this.element.classList.toggle('inaudible', !audible);
  }

  setSpectrogram(levels: SpectrogramLevels, view: TimeWindow): void {
    this.spectrogram.setData(levels, view);
  }

  /** The guide clips of this source, shown under its buttons; each chip removes its clip. */
  setClips(clips: readonly { readonly id: number; readonly name: string }[], onRemove: (id: number) => void): void {
    this.clips.replaceChildren(
      ...clips.map((clip) => {
        const remove = element('button', { className: 'chip-remove', text: '×', attrs: { type: 'button', 'aria-label': `Remove guide clip ${clip.name} from ${this.name}`, title: 'Remove this guide clip' } });
        remove.addEventListener('click', () => onRemove(clip.id));
        return element('span', { className: 'chip', attrs: { 'data-testid': 'lane-clip', title: `Guide: ${clip.name}` } }, [element('span', { className: 'chip-name', text: clip.name }), remove]);
      }),
    );
  }

  setBusy(busy: boolean): void {
    this.save.disabled = busy;
  }

  dispose(): void {
    this.spectrogram.dispose();
  }
}
