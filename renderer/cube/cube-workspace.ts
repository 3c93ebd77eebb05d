import type { OpenedFile, UnmixResult } from '../../app/host-api.js';
import type { CubeAnalysis, ImageRequest } from '../analysis/analysis-protocol.js';
import type { WorkspaceContext } from '../workspace-context.js';
import { defaultTriple } from '../analysis/band-defaults.js';
import { COLORMAPS, isColormapName, type ColormapName } from '../colormap.js';
import { element } from '../dom.js';
import { messageOf } from '../error-banner.js';
import { ExportControls } from '../export-controls.js';
import { formatNumber } from '../format.js';
import { LinePlot, type LineSeries } from '../plots/line-plot.js';
import { seriesColor } from '../series-colors.js';
import { themeColors } from '../theme.js';
import { AbundanceGrid } from './abundance-grid.js';
import { ImageView } from './image-view.js';
import { PcaView } from './pca-view.js';

type ImageMode = 'true' | 'triple' | 'single';

/**
 * The hyperspectral workspace: the image (true colour, a band triple or one band through a colour
 * map) with zoom and pan; a picked pixel's spectrum over the endmembers' contributions; the
 * endmember spectra with editable names; the abundance maps on a shared scale with the
 * reconstruction-error map; and the pixels on their first three principal components with the
 * endmember simplex. The image, pixel spectra and 3-D view work as soon as the cube is open.
 */
export class CubeWorkspace {
  private readonly image: ImageView;
  private readonly pixelPlot: LinePlot;
  private readonly pixelCaption: HTMLElement;
  private readonly pca: PcaView;
  private readonly xs: number[];
  private readonly xLabel: string;
  private readonly mode: HTMLSelectElement;
  private readonly bandSelects: HTMLSelectElement[];
  private readonly singleBand: HTMLSelectElement;
  private readonly colormap: HTMLSelectElement;
  private readonly tripleGroup: HTMLElement;
  private readonly singleGroup: HTMLElement;
  private readonly resultArea: HTMLElement;
  private readonly exports: ExportControls;
  private endmemberPlot: LinePlot | null = null;
  private grid: AbundanceGrid | null = null;
  private result: UnmixResult | null = null;
  private maps: Float32Array[] = [];
  /** Per-pixel scale of the model (1 for plain NMF; see UnmixingFit). */
  private scales: Float32Array | null = null;
  private scaled = false;
  /** Per-endmember factor of the sum-to-one model (UnmixingFit). */
  private factors: Float32Array | null = null;
  private names: string[] = [];
  /** Which names the user set; the others export under the host's defaults (`endmember-1`…). */
  private renamed: boolean[] = [];
  private hostNames: readonly string[] = [];
  /** The latest renameEndmembers call, settled before an export. */
  private renaming: Promise<void> = Promise.resolve();
  private jobId: string | null = null;
  private selected: { row: number; col: number };
  private pixelRequest = 0;
  private disposed = false;

  private constructor(
    private readonly root: HTMLElement,
    private readonly context: WorkspaceContext,
    private readonly file: OpenedFile,
    private readonly cube: CubeAnalysis,
  ) {
    const { rows, cols, bands } = cube;
    const hasWavelengths = cube.wavelengths !== null && cube.wavelengths.length === bands;
    this.xs = hasWavelengths ? [...cube.wavelengths!] : Array.from({ length: bands }, (_, b) => b + 1);
    this.xLabel = hasWavelengths ? `Wavelength${cube.wavelengthUnits ? ` (${cube.wavelengthUnits})` : ''}` : 'Band';
    this.selected = { row: Math.floor(rows / 2), col: Math.floor(cols / 2) };

    // Image controls.
    const bandLabel = (b: number): string => (hasWavelengths ? `Band ${b + 1} · ${formatNumber(this.xs[b]!)}` : `Band ${b + 1}`);
    const bandSelect = (id: string, label: string, value: number): HTMLSelectElement => {
      const select = element(
        'select',
        { attrs: { id, 'aria-label': label, 'data-testid': id } },
        Array.from({ length: bands }, (_, b) => element('option', { text: bandLabel(b), attrs: { value: String(b) } })),
      );
      select.value = String(value);
      select.addEventListener('change', () => void this.paintImage());
      return select;
    };
    this.mode = element('select', { attrs: { id: 'image-mode', 'data-testid': 'image-mode', title: 'How the bands become colours' } }, [
      ...(cube.trueColorBands ? [element('option', { text: 'True colour', attrs: { value: 'true' } })] : []),
      element('option', { text: 'Band triple (R, G, B)', attrs: { value: 'triple' } }),
      element('option', { text: 'Single band', attrs: { value: 'single' } }),
    ]);
    this.mode.addEventListener('change', () => void this.paintImage());
    const triple = cube.trueColorBands ?? defaultTriple(bands);
    this.bandSelects = ['red', 'green', 'blue'].map((c, i) => bandSelect(`band-${c}`, `Band shown in ${c}`, triple[i]!));
    this.singleBand = bandSelect('band-single', 'Band shown', Math.floor(bands / 2));
    this.colormap = element(
      'select',
      { attrs: { id: 'image-colormap', 'aria-label': 'Colour map of the single band', 'data-testid': 'image-colormap' } },
      COLORMAPS.map((c) => element('option', { text: c.label, attrs: { value: c.name } })),
    );
    this.colormap.addEventListener('change', () => void this.paintImage());
    this.tripleGroup = element('span', { className: 'tool-group' }, this.bandSelects);
    this.singleGroup = element('span', { className: 'tool-group' }, [this.singleBand, this.colormap]);
    const fit = element('button', { text: 'Fit', attrs: { type: 'button', title: 'Fit the image to the view (0)', 'aria-label': 'Fit the image to the view' } });
    fit.addEventListener('click', () => this.image.fit());
    this.exports = new ExportControls(context, 'Write the abundance maps (GeoTIFF) and the endmember spectra (CSV) into the export folder (Ctrl+E / ⌘E)');
    this.exports.setBeforeExport(() => this.renaming);
    const toolbar = element('div', { className: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Image' } }, [
      element('span', { className: 'tool-group' }, [element('label', { text: 'Image ', attrs: { for: 'image-mode' } }), this.mode]),
      this.tripleGroup,
      this.singleGroup,
      element('span', { className: 'tool-group' }, [fit]),
      element('span', { className: 'tool-group' }, [this.exports.button]),
    ]);

    this.image = new ImageView(rows, cols, `${file.name}: ${rows} × ${cols} pixels; click a pixel to see its spectrum, wheel to zoom, drag to pan, arrow keys move the picked pixel`, (r, c) =>
      this.pick(r, c),
    );
    this.pixelCaption = element('figcaption', { className: 'plot-caption', attrs: { 'data-testid': 'pixel-caption' } });
    const pixelPlot = element('div', { attrs: { 'data-testid': 'pixel-plot' } });
    this.pixelPlot = new LinePlot(pixelPlot, { description: 'Spectrum of the picked pixel', xLabel: this.xLabel, yLabel: 'Value', height: 260 }, this.pixelSeries());
    this.pca = new PcaView(cube.pca.points, cube.pca.colors, cube.pca.explained);
    this.resultArea = element('div', { className: 'cube-results' });

    root.replaceChildren(
      element('h2', { className: 'visually-hidden', text: `Hyperspectral workspace: ${file.name}` }),
      toolbar,
      this.exports.status,
      this.exports.list,
      element('div', { className: 'cube-grid' }, [
        element('figure', { className: 'panel image-panel' }, [this.image.element, element('figcaption', { className: 'hint', text: 'Click a pixel to plot its spectrum. Wheel: zoom · drag: pan · arrows: move the pick.' })]),
        element('figure', { className: 'panel pixel-panel' }, [this.pixelCaption, pixelPlot]),
        element('section', { className: 'panel pca-panel', attrs: { 'aria-labelledby': 'pca-title' } }, [
          element('h3', { text: 'Pixels on their first three principal components', attrs: { id: 'pca-title' } }),
          this.pca.element,
          element('p', { className: 'hint', text: `Colours: each pixel's image colour. Explained variance: ${cube.pca.explained.map((e, i) => `PC${i + 1} ${percent(e)}`).join(', ')}. Drag to rotate, wheel to zoom.` }),
        ]),
        this.resultArea,
      ]),
    );
    this.updateModeControls();
  }

  static async open(root: HTMLElement, context: WorkspaceContext, file: OpenedFile, bytes: ArrayBuffer): Promise<CubeWorkspace> {
    const cube = await context.analysis.request({ op: 'cube', bytes: bytes.slice(0), name: file.name });
    const workspace = new CubeWorkspace(root, context, file, cube);
    await workspace.paintImage();
    await workspace.pick(workspace.selected.row, workspace.selected.col);
    return workspace;
  }

  /**
   * Adds a finished unmixing. `scaled`: the job fitted the sum-to-one model (sumToOne, sparsity or
   * minimum volume), whose per-pixel scale is estimated for the fit views (UnmixingFit).
   */
  async showResult(jobId: string, result: UnmixResult, scaled = false): Promise<void> {
    this.clearResult();
    this.jobId = jobId;
    const P = result.endmembers.length;
    const maps = await Promise.all(result.endmembers.map((_, p) => this.context.host.getAbundanceMap(jobId, p)));
    if (this.disposed || this.jobId !== jobId) return;
    // Bands left out of the fit have NaN endmember values (null once through JSON).
    result = { ...result, endmembers: result.endmembers.map((spectrum) => spectrum.map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : NaN))) };
    this.result = result;
    this.maps = maps;
    this.names = Array.from({ length: P }, (_, p) => `Endmember ${p + 1}`);
    this.renamed = new Array<boolean>(P).fill(false);
    this.hostNames = result.endmemberNames ?? Array.from({ length: P }, (_, p) => `endmember-${p + 1}`);
    const bands = result.bands;
    const endmembers = new Float32Array(bands * P);
    result.endmembers.forEach((spectrum, p) => spectrum.forEach((v, b) => (endmembers[b * P + p] = v)));
    const abundances = new Float32Array(P * result.rows * result.cols);
    maps.forEach((map, p) => abundances.set(map, p * map.length));
    const fit = await this.context.analysis.request({ op: 'fit', endmembers, abundances, count: P, scaled }, [abundances.buffer]).catch((e: unknown) => {
      this.context.onError(`The fit to the pixels cannot be shown: ${messageOf(e)}`);
      return null;
    });
    if (this.disposed || this.jobId !== jobId) return;
    this.scaled = scaled;
    this.scales = scaled ? (fit?.scales ?? null) : null;
    this.factors = scaled ? (fit?.factors ?? null) : null;

    // Endmember spectra with their names.
    const plotBox = element('div', { attrs: { 'data-testid': 'endmember-plot' } });
    const nameList = element(
      'ol',
      { className: 'endmember-names', attrs: { 'aria-label': 'Endmember names' } },
      this.names.map((name, p) => {
        const input = element('input', { attrs: { type: 'text', value: name, maxlength: '40', 'aria-label': `Name of endmember ${p + 1}`, 'data-testid': 'endmember-name' } });
        input.addEventListener('input', () => {
          this.renamed[p] = input.value.trim() !== '';
          this.rename(p, input.value.trim() || `Endmember ${p + 1}`);
        });
        // A committed name (Enter, leaving the field) goes to the host, for the exported files.
        input.addEventListener('change', () => this.commitNames());
        const swatch = element('span', { className: 'lane-swatch', attrs: { 'aria-hidden': 'true' } });
        swatch.style.background = seriesColor(p);
        return element('li', {}, [swatch, input]);
      }),
    );
    this.grid = new AbundanceGrid({ rows: result.rows, cols: result.cols, maps, names: this.names, error: fit?.error ?? null }, (r, c) => void this.pick(r, c));
    const notes: HTMLElement[] = [];
    if (result.clippedNegatives > 0) notes.push(element('p', { className: 'hint', text: `${result.clippedNegatives} negative values were clipped to zero before unmixing.` }));
    if (result.droppedBands && result.droppedBands.length > 0) {
      notes.push(element('p', { className: 'hint', text: `${result.droppedBands.length} bands were left out of the fit (gaps in the spectra).` }));
    }
    const suggested = result.suggestedEndmembers;
    if (typeof suggested === 'number' && suggested !== P) {
      notes.push(element('p', { className: 'hint', attrs: { 'data-testid': 'suggested-endmembers' }, text: `HySime estimates ${suggested} endmembers in this cube; ${P} were asked for.` }));
    }
    this.resultArea.replaceChildren(
        element('section', { className: 'panel endmember-panel', attrs: { 'aria-labelledby': 'endmember-title' } }, [
          element('h3', { text: `${P} endmember spectra`, attrs: { id: 'endmember-title' } }),
          plotBox,
          element('p', { className: 'hint', text: 'Name the materials here: the names follow into every plot and map.' }),
          nameList,
        ]),
        element('section', { className: 'panel abundance-panel', attrs: { 'aria-labelledby': 'abundance-title' } }, [
          element('h3', { text: 'Abundance maps', attrs: { id: 'abundance-title' } }),
          this.grid.element,
          ...notes,
        ]),
    );
    this.endmemberPlot = new LinePlot(plotBox, { description: `Spectra of ${P} endmembers against ${this.xLabel.toLowerCase()}`, xLabel: this.xLabel, yLabel: 'Endmember value', height: 260 }, this.endmemberSeries());
    this.endmemberPlot.setData(this.xs, result.endmembers);
    if (fit) this.pca.setSimplex(fit.corners);
    this.pixelPlot.setSeries(this.pixelSeries());
    await this.pick(this.selected.row, this.selected.col);
    this.exports.setJob(jobId);
  }

  clearResult(): void {
    this.jobId = null;
    this.result = null;
    this.maps = [];
    this.scales = null;
    this.factors = null;
    this.scaled = false;
    this.endmemberPlot?.destroy();
    this.endmemberPlot = null;
    this.grid = null;
    this.resultArea.replaceChildren();
    this.exports.setJob(null);
    this.pixelPlot.setSeries(this.pixelSeries());
    void this.pick(this.selected.row, this.selected.col);
  }

  exportAll(): Promise<void> {
    return this.exports.run();
  }

  /** Space has nothing to play here. */
  togglePlay(): void {}

  dispose(): void {
    this.disposed = true;
    this.image.dispose();
    this.pixelPlot.destroy();
    this.endmemberPlot?.destroy();
    this.pca.dispose();
    this.root.replaceChildren();
  }

  private updateModeControls(): void {
    const mode = this.mode.value as ImageMode;
    this.tripleGroup.hidden = mode !== 'triple';
    this.singleGroup.hidden = mode !== 'single';
  }

  private imageRequest(): ImageRequest {
    const mode = this.mode.value as ImageMode;
    if (mode === 'single') {
      const colormap: ColormapName = isColormapName(this.colormap.value) ? this.colormap.value : 'viridis';
      return { mode: 'single', band: Number(this.singleBand.value), colormap };
    }
    const bands = mode === 'true' && this.cube.trueColorBands ? this.cube.trueColorBands : this.bandSelects.map((s) => Number(s.value));
    return { mode: 'rgb', bands: [bands[0]!, bands[1]!, bands[2]!] };
  }

  private async paintImage(): Promise<void> {
    this.updateModeControls();
    const request = this.imageRequest();
    try {
      const pixels = await this.context.analysis.request({ op: 'image', image: request });
      if (this.disposed) return;
      this.image.setPixels(pixels);
      this.image.element.dataset.mode = this.mode.value;
    } catch (error) {
      this.context.onError(`Cannot draw the image: ${messageOf(error)}`);
    }
  }

  private async pick(row: number, col: number): Promise<void> {
    this.selected = { row, col };
    this.image.select(row, col);
    const request = ++this.pixelRequest;
    let spectrum: Float32Array;
    try {
      spectrum = await this.context.analysis.request({ op: 'pixel', row, col });
    } catch (error) {
      this.context.onError(`Cannot read the pixel: ${messageOf(error)}`);
      return;
    }
    if (this.disposed || request !== this.pixelRequest) return;
    const columns: (ArrayLike<number | null>)[] = [spectrum];
    let fit = '';
    if (this.result && this.maps.length > 0) {
      const j = row * this.result.cols + col;
      const weights = this.maps.map((map) => map[j] ?? 0);
      const scale = this.scales?.[j] ?? 1;
      const parts = this.result.endmembers.map((spectrumP, p) => spectrumP.map((v) => v * weights[p]! * scale * (this.factors?.[p] ?? 1)));
      const model = spectrum.map((_, b) => parts.reduce((s, part) => s + part[b]!, 0));
      columns.push(model, ...parts);
      let sq = 0;
      let fitted = 0;
      spectrum.forEach((x, b) => {
        if (!Number.isFinite(model[b]!)) return;
        sq += (Math.max(0, Number.isFinite(x) ? x : 0) - model[b]!) ** 2;
        fitted++;
      });
      const label = 'RMS error';
      fit = ` · abundances ${weights.map((w, p) => `${this.names[p]} ${formatNumber(w)}`).join(', ')} · ${label} ${formatNumber(Math.sqrt(sq / Math.max(1, fitted)))}`;
    }
    this.pixelCaption.textContent = `Pixel row ${row + 1}, column ${col + 1}${fit}`;
    this.pixelPlot.setData(this.xs, columns);
    this.pixelPlot.setDescription(`Spectrum of pixel row ${row + 1}, column ${col + 1}${this.result ? ', its model and each endmember’s contribution' : ''}`);
  }

  private pixelSeries(): LineSeries[] {
    const series: LineSeries[] = [{ label: 'Pixel', color: themeColors().text, width: 2.4 }];
    if (this.result) {
      series.push({ label: 'Model (Σ abundance × endmember)', color: themeColors().muted, width: 1.6, dash: [6, 4] });
      this.names.forEach((name, p) => series.push({ label: `${name} × abundance`, color: seriesColor(p), width: 1.6 }));
    }
    return series;
  }

  private endmemberSeries(): LineSeries[] {
    return this.names.map((name, p) => ({ label: name, color: seriesColor(p), width: 2.2 }));
  }

  /** Sends the names to the host (renameEndmembers): the CSV header, band names and file names use them. */
  private commitNames(): void {
    const jobId = this.jobId;
    if (jobId === null) return;
    const names = this.names.map((name, p) => (this.renamed[p] ? name : (this.hostNames[p] ?? name)));
    // One after another, so the last committed names are the ones kept.
    this.renaming = this.renaming.then(() =>
      this.context.host.renameEndmembers(jobId, names).then(
        () => undefined,
        (error: unknown) => this.context.onError(`The endmember names could not be used for the exports: ${messageOf(error)}`),
      ),
    );
  }

  private rename(p: number, name: string): void {
    this.names[p] = name;
    this.endmemberPlot?.setSeries(this.endmemberSeries());
    this.pixelPlot.setSeries(this.pixelSeries());
    this.grid?.setNames(this.names);
    void this.pick(this.selected.row, this.selected.col);
  }
}

/** A share of the variance; a flat third component shows as < 0.1 % rather than a misleading 0.0 %. */
function percent(share: number): string {
  return share > 0 && share < 0.001 ? '< 0.1 %' : `${(100 * share).toFixed(1)} %`;
}
