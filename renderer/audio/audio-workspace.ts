import type { OpenedFile, SeparationModel, SeparationResult } from '../../app/host-api.js';
import type { AudioAnalysis } from '../analysis/analysis-protocol.js';
import { COLORMAPS, isColormapName, type ColormapName } from '../colormap.js';
import { element } from '../dom.js';
import { messageOf } from '../error-banner.js';
import { ExportControls } from '../export-controls.js';
import { formatClock, formatNumber } from '../format.js';
import { ComponentList } from './component-list.js';
import { GuidePanel } from './guide-panel.js';
import { GuideSet } from './guide-set.js';
import { RangeSelector } from './range-selector.js';
import { SourceLane } from './source-lane.js';
import { SpectrogramView, type SpectrogramOptions } from './spectrogram-view.js';
import { Timeline } from './timeline.js';
import { decodeAudio, Transport } from './transport.js';
import { TimeRuler, WaveformView } from './waveform-view.js';
import type { WorkspaceContext } from '../workspace-context.js';

interface SourceState {
  readonly name: string;
  energyShare: number;
  wav: ArrayBuffer;
  buffer: AudioBuffer;
  readonly lane: SourceLane;
}

/**
 * The audio workspace: transport, the mixture (waveform and spectrogram), one lane per separated
 * source with its own spectrogram, and the NMF components, all on one time axis with one playhead.
 * Opening a file shows the mixture at once (analysed in the worker); a finished separation adds
 * the sources and components.
 */
export class AudioWorkspace {
  private readonly timeline: Timeline;
  private readonly transport = new Transport();
  private readonly cleanups: (() => void)[] = [];
  private readonly lanes: HTMLElement;
  private readonly playhead: HTMLElement;
  private readonly mixtureBody: HTMLElement;
  private readonly mixtureSpectrogram: SpectrogramView;
  private readonly waveform: WaveformView;
  private readonly ruler = new TimeRuler();
  private readonly playButton: HTMLButtonElement;
  private readonly clock: HTMLElement;
  private readonly seek: HTMLInputElement;
  private readonly meter: HTMLMeterElement;
  private readonly exports: ExportControls;
  private readonly resultArea: HTMLElement;
  private readonly regroupStatus: HTMLElement;
  private readonly residual = element('p', { className: 'hint', attrs: { 'data-testid': 'mixture-residual' } });
  private readonly guides: GuideSet;
  private readonly selector: RangeSelector;
  private readonly guidePanel: GuidePanel;
  /** The latest separation's source names (kept while a new job runs, for the guides' menus). */
  private sourceNames: readonly string[] = [];
  private options: SpectrogramOptions = { logFrequency: true, colormap: 'viridis' };
  private mixture: AudioBuffer | null = null;
  private sources: SourceState[] = [];
  private components: ComponentList | null = null;
  private model: SeparationModel | null = null;
  private assignment: number[] = [];
  private jobId: string | null = null;
  private busy = false;
  private loop = 0;
  private disposed = false;

  private constructor(
    private readonly root: HTMLElement,
    private readonly context: WorkspaceContext,
    private readonly file: OpenedFile,
    analysis: AudioAnalysis,
  ) {
    const duration = analysis.length / analysis.sampleRate;
    this.timeline = new Timeline(duration);
    this.guides = new GuideSet(duration);
    this.guidePanel = new GuidePanel(this.guides, {
      onRun: () => this.runGuided(),
      onMarkingChange: (on) => this.selector.setMarking(on),
    });

    // Transport and view controls.
    this.playButton = element('button', { className: 'primary play', text: 'Play', attrs: { type: 'button', 'data-testid': 'play', 'aria-keyshortcuts': 'Space', title: 'Play or pause (Space)' } });
    this.playButton.addEventListener('click', () => this.togglePlay());
    this.clock = element('output', { className: 'clock', attrs: { 'data-testid': 'transport-time', 'aria-label': 'Playback position', 'data-position': '0' } });
    this.seek = element('input', { className: 'seek', attrs: { type: 'range', min: '0', max: String(duration), step: 'any', value: '0', 'aria-label': 'Seek', 'data-testid': 'seek' } });
    this.seek.addEventListener('input', () => this.transport.seek(Number(this.seek.value)));
    this.meter = element('meter', { className: 'level', attrs: { min: '0', max: '1', value: '0', 'aria-label': 'Output level', 'data-testid': 'level', 'data-level': '0' } });
    const zoomIn = element('button', { text: '+', attrs: { type: 'button', 'aria-label': 'Zoom in', title: 'Zoom in (wheel on a lane, or +)', 'data-testid': 'zoom-in' } });
    const zoomOut = element('button', { text: '−', attrs: { type: 'button', 'aria-label': 'Zoom out', title: 'Zoom out (wheel on a lane, or −)', 'data-testid': 'zoom-out' } });
    const fit = element('button', { text: 'Fit', attrs: { type: 'button', 'aria-label': 'Show the whole recording', title: 'Show the whole recording', 'data-testid': 'zoom-fit' } });
    zoomIn.addEventListener('click', () => this.timeline.zoom(0.5, this.anchor()));
    zoomOut.addEventListener('click', () => this.timeline.zoom(2, this.anchor()));
    fit.addEventListener('click', () => this.timeline.fit());
    const logToggle = element('input', { attrs: { type: 'checkbox', id: 'log-frequency', 'data-testid': 'log-frequency', title: 'Frequency on a logarithmic axis (octaves equally spaced), as musicians hear it' } });
    logToggle.checked = this.options.logFrequency;
    logToggle.addEventListener('change', () => this.setOptions({ ...this.options, logFrequency: logToggle.checked }));
    const colormap = element(
      'select',
      { attrs: { id: 'spectrogram-colormap', 'data-testid': 'colormap', title: 'Colour map of the spectrograms' } },
      COLORMAPS.map((c) => element('option', { text: c.label, attrs: { value: c.name } })),
    );
    colormap.addEventListener('change', () => {
      if (isColormapName(colormap.value)) this.setOptions({ ...this.options, colormap: colormap.value as ColormapName });
    });
    this.exports = new ExportControls(context, 'Write every source as a WAV file into the export folder (Ctrl+E / ⌘E)');
    const toolbar = element('div', { className: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Transport and view' } }, [
      element('div', { className: 'tool-group' }, [this.playButton, this.clock, this.seek, this.meter]),
      element('div', { className: 'tool-group' }, [zoomOut, zoomIn, fit]),
      element('div', { className: 'tool-group' }, [
        element('label', { className: 'inline', attrs: { for: 'log-frequency' } }, [logToggle, ' Log frequency']),
        element('label', { className: 'inline', text: 'Colours ', attrs: { for: 'spectrogram-colormap' } }),
        colormap,
      ]),
      element('div', { className: 'tool-group' }, [this.guidePanel.markButton]),
      element('div', { className: 'tool-group' }, [this.exports.button]),
    ]);

    // Lanes: ruler, mixture, then the sources once separated; one playhead over all.
    this.waveform = new WaveformView(analysis.envelope, analysis.sampleRate, `Waveform of ${file.name}`);
    this.mixtureSpectrogram = new SpectrogramView(`Spectrogram of ${file.name}`, this.options, 'spectrogram mixture-spectrogram');
    this.mixtureBody = element('div', { className: 'lane-body', attrs: { tabindex: '0', 'aria-label': 'Mixture: click to seek, drag to pan, wheel or +/− to zoom, Shift+drag to mark a solo range (Delete removes the selected one)', 'data-testid': 'mixture-lane' } }, [
      this.waveform.element,
      this.mixtureSpectrogram.element,
    ]);
    this.playhead = element('div', { className: 'playhead', attrs: { 'aria-hidden': 'true', 'data-testid': 'playhead' } });
    this.lanes = element('div', { className: 'lanes', attrs: { 'data-testid': 'lanes' } }, [
      element('div', { className: 'lane ruler-lane' }, [element('div', { className: 'lane-header' }), element('div', { className: 'lane-body' }, [this.ruler.element])]),
      element('div', { className: 'lane mixture-lane', attrs: { role: 'group', 'aria-label': 'Mixture' } }, [
        element('div', { className: 'lane-header' }, [element('strong', { text: 'Mixture' }), element('span', { className: 'lane-share', text: file.name })]),
        this.mixtureBody,
      ]),
      this.playhead,
    ]);
    this.regroupStatus = element('p', { className: 'hint', attrs: { 'aria-live': 'polite', 'data-testid': 'regroup-status' } });
    this.resultArea = element('div', { className: 'audio-results' });
    root.replaceChildren(
      element('h2', { className: 'visually-hidden', text: `Audio workspace: ${file.name}` }),
      toolbar,
      this.exports.status,
      this.exports.list,
      this.lanes,
      this.regroupStatus,
      this.guidePanel.element,
      this.resultArea,
    );
    this.selector = new RangeSelector(this.mixtureBody, this.timeline, this.guides, () => this.sourceNames);
    const onKey = (event: KeyboardEvent): void => this.onKey(event);
    root.addEventListener('keydown', onKey);

    this.mixtureSpectrogram.setData(analysis.spectrogram, this.timeline.view);
    this.cleanups.push(
      this.timeline.onChange((view) => this.applyView(view)),
      this.timeline.attach(this.mixtureBody, (t) => this.transport.seek(t)),
      this.transport.onChange(() => this.onTransport()),
      this.guides.onChange(() => this.showLaneClips()),
      () => root.removeEventListener('keydown', onKey),
    );
    this.applyView(this.timeline.view);
    this.onTransport();
  }

  /** Analyses the mixture in the worker and builds the workspace around it. */
  static async open(root: HTMLElement, context: WorkspaceContext, file: OpenedFile, bytes: ArrayBuffer): Promise<AudioWorkspace> {
    if (file.summary.kind !== 'audio') throw new Error(`${file.name} is not audio`);
    const sampleRate = file.summary.sampleRate;
    const [analysis, mixture] = await Promise.all([
      context.analysis.request({ op: 'audio', bytes: bytes.slice(0), name: file.name }),
      decodeAudio(bytes, sampleRate),
    ]);
    const workspace = new AudioWorkspace(root, context, file, analysis);
    workspace.mixture = mixture;
    workspace.transport.setTracks([mixture]);
    return workspace;
  }

  /** Adds a finished separation: its sources as lanes, its components as cards. */
  async showResult(jobId: string, result: SeparationResult): Promise<void> {
    this.clearResult();
    this.jobId = jobId;
    const [model, wavs] = await Promise.all([
      this.context.host.getSeparationModel(jobId).catch((error: unknown) => {
        this.context.onError(`The components cannot be shown: ${messageOf(error)}`);
        return null;
      }),
      Promise.all(result.sources.map((_, i) => this.context.host.getSourceAudio(jobId, i))),
    ]);
    if (this.disposed || this.jobId !== jobId) return;
    this.model = model;
    this.assignment = model ? [...model.assignment] : [];
    const handlers = {
      onSolo: (i: number) => this.transport.setSoloed(i, !this.transport.trackState(i).soloed),
      onMute: (i: number) => this.transport.setMuted(i, !this.transport.trackState(i).muted),
      onSave: (i: number) => this.saveSource(i),
      onComponentDropped: (k: number, s: number) => void this.moveComponent(k, s),
      onClipDropped: (file: File, s: number) => void this.addClip(file, s),
    };
    const buffers = await Promise.all(wavs.map((wav) => decodeAudio(wav, result.sampleRate)));
    this.sources = result.sources.map((source, i) => ({
      name: source.name,
      energyShare: source.energyShare,
      wav: wavs[i]!,
      buffer: buffers[i]!,
      lane: new SourceLane(i, source.name, this.options, handlers),
    }));
    for (const source of this.sources) {
      this.lanes.insertBefore(source.lane.element, this.playhead);
      this.cleanups.push(this.timeline.attach(source.lane.body, (t) => this.transport.seek(t)));
    }
    this.sourceNames = result.sources.map((s) => s.name);
    this.guidePanel.setSourceNames(this.sourceNames);
    this.guides.keepSources(this.sources.length);
    this.selector.render();
    this.transport.setTracks(buffers);
    await this.analyseSources();
    this.residual.textContent = residualNote(result);
    const notes = [this.residual];
    if (model) {
      this.components = new ComponentList(model, result.sources.map((s) => s.name), (k, s) => void this.moveComponent(k, s));
      this.components.setLogFrequency(this.options.logFrequency);
      this.resultArea.replaceChildren(...notes, this.components.element);
      this.components.drawAll();
    } else {
      this.resultArea.replaceChildren(...notes);
    }
    this.exports.setJob(jobId);
    this.onTransport();
  }

  clearResult(): void {
    this.jobId = null;
    for (const source of this.sources) {
      source.lane.dispose();
      source.lane.element.remove();
    }
    this.sources = [];
    this.components?.dispose();
    this.components = null;
    this.model = null;
    this.resultArea.replaceChildren();
    this.exports.setJob(null);
    this.regroupStatus.textContent = '';
    if (this.mixture) this.transport.setTracks([this.mixture]);
  }

  /** A job runs (or stopped): guided runs wait for it. */
  setJobRunning(running: boolean): void {
    this.guidePanel.setRunning(running);
  }

  togglePlay(): void {
    this.transport.toggle();
  }

  exportAll(): Promise<void> {
    return this.exports.run();
  }

  dispose(): void {
    this.disposed = true;
    if (this.loop !== 0) cancelAnimationFrame(this.loop);
    for (const cleanup of this.cleanups) cleanup();
    this.clearResult();
    this.selector.dispose();
    this.guidePanel.dispose();
    this.transport.dispose();
    this.mixtureSpectrogram.dispose();
    this.waveform.dispose();
    this.ruler.dispose();
    this.root.replaceChildren();
  }

  private anchor(): number {
    const position = this.transport.position;
    const { start, end } = this.timeline.view;
    return position >= start && position <= end ? position : (start + end) / 2;
  }

  private setOptions(options: SpectrogramOptions): void {
    this.options = options;
    this.mixtureSpectrogram.setOptions(options);
    for (const source of this.sources) source.lane.spectrogram.setOptions(options);
    this.components?.setLogFrequency(options.logFrequency);
  }

  private applyView(view: { start: number; end: number }): void {
    this.mixtureSpectrogram.setView(view);
    this.waveform.setView(view);
    this.ruler.setView(view);
    for (const source of this.sources) source.lane.spectrogram.setView(view);
    this.lanes.dataset.viewStart = view.start.toFixed(4);
    this.lanes.dataset.viewEnd = view.end.toFixed(4);
    this.placePlayhead();
  }

  private async analyseSources(): Promise<void> {
    const analyses = await Promise.all(this.sources.map((s) => this.context.analysis.request({ op: 'audio', bytes: s.wav.slice(0), name: `${s.name}.wav` })));
    if (this.disposed) return;
    analyses.forEach((analysis, i) => this.sources[i]?.lane.setSpectrogram(analysis.spectrogram, this.timeline.view));
  }

  private async moveComponent(component: number, source: number): Promise<void> {
    const jobId = this.jobId;
    if (jobId === null || !this.model || this.busy) return;
    if (this.assignment[component] === source) return;
    const next = [...this.assignment];
    next[component] = source;
    this.busy = true;
    this.components?.setBusy(true);
    for (const s of this.sources) s.lane.setBusy(true);
    this.regroupStatus.textContent = `Moving component ${component + 1} to ${this.sources[source]?.name ?? `source ${source + 1}`}: rebuilding the sources…`;
    try {
      const result = await this.context.host.regroupSources(jobId, next);
      const wavs = await Promise.all(result.sources.map((_, i) => this.context.host.getSourceAudio(jobId, i)));
      const buffers = await Promise.all(wavs.map((wav) => decodeAudio(wav, result.sampleRate)));
      if (this.disposed || this.jobId !== jobId) return;
      this.assignment = next;
      this.sources.forEach((s, i) => {
        s.wav = wavs[i]!;
        s.buffer = buffers[i]!;
        s.energyShare = result.sources[i]?.energyShare ?? 0;
      });
      this.residual.textContent = residualNote(result);
      this.transport.setTracks(buffers);
      this.components?.setAssignment(next);
      await this.analyseSources();
      this.regroupStatus.textContent = `Component ${component + 1} now feeds ${this.sources[source]?.name}; the sources were rebuilt.`;
      this.regroupStatus.dataset.regroups = String(Number(this.regroupStatus.dataset.regroups ?? '0') + 1);
    } catch (error) {
      this.components?.setAssignment(this.assignment);
      this.regroupStatus.textContent = '';
      this.context.onError(`Could not move the component: ${messageOf(error)}`);
    } finally {
      this.busy = false;
      this.components?.setBusy(false);
      for (const s of this.sources) s.lane.setBusy(false);
      this.onTransport();
    }
  }

  /** Guided mode: a dropped example clip, opened through the host, becomes lane `source`'s guide. */
  private async addClip(file: File, source: number): Promise<void> {
    const lane = this.sources[source]?.name ?? `source ${source + 1}`;
    try {
      const opened = await this.context.host.openFile(file.name, await file.arrayBuffer());
      if (this.disposed) return;
      const rate = this.file.summary.kind === 'audio' ? this.file.summary.sampleRate : 0;
      if (opened.summary.kind !== 'audio') throw new Error(`${opened.name} is not audio: a guide clip is a WAV recording of ${lane} alone`);
      if (opened.summary.sampleRate !== rate) {
        throw new Error(`${opened.name} is at ${opened.summary.sampleRate} Hz but ${this.file.name} is at ${rate} Hz: a guide clip needs the mixture's sample rate`);
      }
      this.guides.addClip(opened.fileId, opened.name, source);
    } catch (error) {
      const message = messageOf(error);
      this.context.onError(message.startsWith(file.name) ? `Guide clip for ${lane}: ${message}` : `Guide clip ${file.name} for ${lane}: ${message}`);
    }
  }

  private showLaneClips(): void {
    this.sources.forEach((s, i) =>
      s.lane.setClips(
        this.guides.clips.filter((c) => c.source === i),
        (id) => this.guides.removeClip(id),
      ),
    );
  }

  private runGuided(): void {
    const guides = this.guides.toHostGuides();
    if (guides.length === 0) {
      this.context.onError('Mark a range and assign it to a source, or drop an example clip on a source lane, before separating with guides.');
      return;
    }
    if (!this.context.runGuided) {
      this.context.onError('Guided separation is not available here.');
      return;
    }
    this.context.runGuided(guides, this.guides.describe());
  }

  /** Delete or Backspace removes the selected range (not while typing in a field). */
  private onKey(event: KeyboardEvent): void {
    if (event.key !== 'Delete' && event.key !== 'Backspace') return;
    const target = event.target;
    if (target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
    const selected = this.guides.selected;
    if (selected === null) return;
    event.preventDefault();
    this.guides.removeRange(selected);
  }

  private saveSource(index: number): void {
    const source = this.sources[index];
    if (!source) return;
    const stem = this.file.name.replace(/\.[^.]+$/, '');
    const url = URL.createObjectURL(new Blob([source.wav], { type: 'audio/wav' }));
    const link = element('a', { attrs: { href: url, download: `${stem}.${source.name}.wav` } });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  private onTransport(): void {
    const playing = this.transport.isPlaying;
    this.playButton.textContent = playing ? 'Pause' : 'Play';
    this.playButton.setAttribute('aria-pressed', String(playing));
    this.sources.forEach((s, i) => s.lane.update(s.energyShare, this.transport.trackState(i), this.transport.audible(i)));
    this.updatePosition();
    if (playing && this.loop === 0) this.loop = requestAnimationFrame(() => this.frame());
  }

  private frame(): void {
    this.loop = 0;
    this.transport.tick();
    this.updatePosition();
    const level = this.transport.level();
    this.meter.value = Math.min(1, level * 3);
    this.meter.dataset.level = level.toFixed(5);
    if (this.transport.isPlaying) this.loop = requestAnimationFrame(() => this.frame());
    else {
      this.meter.value = 0;
      this.meter.dataset.level = '0';
    }
  }

  private updatePosition(): void {
    const position = this.transport.position;
    this.clock.textContent = `${formatClock(position)} / ${formatClock(this.timeline.total)}`;
    this.clock.dataset.position = position.toFixed(3);
    this.seek.value = String(position);
    this.placePlayhead();
  }

  /** The one playhead, over the lanes' bodies (which all share the mixture body's column). */
  private placePlayhead(): void {
    const { start, end } = this.timeline.view;
    const position = this.transport.position;
    const visible = position >= start && position <= end;
    this.playhead.hidden = !visible;
    if (!visible) return;
    const frac = (position - start) / (end - start);
    this.playhead.style.left = `${this.mixtureBody.offsetLeft + frac * this.mixtureBody.clientWidth}px`;
    this.playhead.dataset.time = position.toFixed(3);
  }
}

function residualNote(result: SeparationResult): string {
  const residual = `${result.sources.length} sources; they add up to the mixture within ${formatNumber(result.mixtureResidual)} (largest |Σ sources − mixture|).`;
  const split = result.split;
  // The component list shows more components than were asked for: say why.
  return split && split.components > 0 ? `${residual} ${split.components} NMF component${split.components === 1 ? '' : 's'} held notes of several pitches and ${split.components === 1 ? 'was' : 'were'} split by pitch (${split.into} components).` : residual;
}
