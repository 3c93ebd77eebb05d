import { MAX_RESTARTS, SOLVER_LOSSES, type JobParams, type JobProgressEvent, type OpenedFile, type UnmixJobParams } from '../app/host-api.js';
import type { NmfAlgorithm } from '../app/nmf/nmf-types.js';
import { byId } from './dom.js';
import { formatDuration, formatNumber } from './format.js';
import { ObjectivePlot } from './objective-plot.js';

/**
 * The form that sets a job's parameters (every field the host's job parameters accept; defaults
 * and tooltips in index.html), its Run/Cancel buttons, the progress bar and the live objective plot.
 */
export class RunPanel {
  private readonly form = byId('run-form', HTMLFormElement);
  private readonly audioFields = byId('audio-params', HTMLFieldSetElement);
  private readonly cubeFields = byId('cube-params', HTMLFieldSetElement);
  private readonly sources = byId('sources', HTMLInputElement);
  private readonly components = byId('components', HTMLInputElement);
  private readonly endmembers = byId('endmembers', HTMLInputElement);
  private readonly loss = byId('loss', HTMLSelectElement);
  private readonly iterations = byId('iterations', HTMLInputElement);
  private readonly seed = byId('seed', HTMLInputElement);
  private readonly algorithm = byId('algorithm', HTMLSelectElement);
  private readonly restarts = byId('restarts', HTMLInputElement);
  private readonly init = byId('init', HTMLSelectElement);
  private readonly sumToOne = byId('sum-to-one', HTMLInputElement);
  private readonly sparsity = byId('sparsity', HTMLInputElement);
  private readonly minVolume = byId('min-volume', HTMLInputElement);
  private readonly runButton = byId('run-button', HTMLButtonElement);
  private readonly cancelButton = byId('cancel-button', HTMLButtonElement);
  private readonly progress = byId('progress', HTMLProgressElement);
  private readonly stage = byId('stage', HTMLSpanElement);
  private readonly objective = new ObjectivePlot(byId('objective-plot', HTMLDivElement));
  private file: OpenedFile | null = null;
  private running = false;

  constructor(handlers: { onRun(params: JobParams): void; onCancel(): void; onInvalid(message: string): void }) {
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (this.running || !this.file) return;
      const params = this.readParams(this.file);
      if (typeof params === 'string') handlers.onInvalid(params);
      else handlers.onRun(params);
    });
    this.cancelButton.addEventListener('click', () => handlers.onCancel());
    // The solvers on offer follow the loss; the constrained unmixing model has its own solver.
    for (const input of [this.loss, this.sumToOne, this.sparsity, this.minVolume]) input.addEventListener('input', () => this.update());
    this.update();
  }

  /** The form's job parameters for the open file, or why they cannot be used (null: no file). */
  currentParams(): JobParams | string | null {
    return this.file ? this.readParams(this.file) : null;
  }

  setFile(file: OpenedFile | null): void {
    this.file = file;
    if (file?.summary.kind === 'cube') this.endmembers.max = String(Math.max(1, file.summary.bands - 1));
    this.update();
  }

  setRunning(running: boolean): void {
    this.running = running;
    if (running) {
      this.progress.value = 0;
      // With restarts each run is drawn apart (ObjectiveSeries); the job runs these parameters.
      const params = this.currentParams();
      const restarts = params !== null && typeof params === 'object' && 'restarts' in params ? (params.restarts ?? 1) : 1;
      this.objective.reset(restarts > 1 && params !== null && typeof params === 'object' && 'maxIter' in params ? params.maxIter : Infinity);
    }
    this.update();
  }

  /** Cancel only makes sense once the host has named the job. */
  setCancellable(cancellable: boolean): void {
    this.cancelButton.disabled = !(this.running && cancellable);
  }

  showProgress(event: JobProgressEvent): void {
    this.progress.value = Math.min(1, Math.max(0, event.fraction));
    this.objective.add(event);
    const details = [
      event.iteration !== null ? `iteration ${event.iteration}` : null,
      event.objective !== null ? `objective ${formatNumber(event.objective)}` : null,
      formatDuration(event.elapsedSeconds),
    ].filter((part) => part !== null);
    this.stage.textContent = `${capitalise(event.stage)} — ${details.join(', ')}`;
  }

  setStatus(text: string, fraction?: number): void {
    this.stage.textContent = text;
    if (fraction !== undefined) this.progress.value = fraction;
  }

  private update(): void {
    const kind = this.file?.summary.kind ?? null;
    this.audioFields.hidden = kind === 'cube';
    this.cubeFields.hidden = kind !== 'cube';
    const inputs = [this.sources, this.components, this.endmembers, this.loss, this.iterations, this.seed, this.init, this.sumToOne, this.sparsity, this.minVolume, this.algorithm, this.restarts];
    for (const input of inputs) input.disabled = this.running || kind === null;
    const loss = this.effectiveLoss(kind);
    for (const option of this.algorithm.options) {
      const solves = SOLVER_LOSSES[option.value as NmfAlgorithm] as readonly string[] | undefined;
      option.hidden = option.disabled = !(solves?.includes(loss) ?? false);
    }
    if (this.algorithm.selectedOptions[0]?.disabled) this.algorithm.value = 'auto';
    if (kind === 'cube' && this.constrained()) {
      this.algorithm.value = 'auto';
      this.restarts.value = '1';
      this.algorithm.disabled = this.restarts.disabled = true;
    }
    this.runButton.disabled = this.running || kind === null;
    this.runButton.setAttribute('aria-busy', String(this.running));
    if (!this.running) this.cancelButton.disabled = true;
  }

  /** The loss the job will minimise: the chosen one, or the input kind's default. */
  private effectiveLoss(kind: 'audio' | 'cube' | null): string {
    return this.loss.value === 'auto' ? (kind === 'cube' ? 'frobenius' : 'kl') : this.loss.value;
  }

  /** Sum-to-one unmixing (asked for, or implied by sparsity or minimum volume). */
  private constrained(): boolean {
    return this.sumToOne.checked || Number(this.sparsity.value) > 0 || Number(this.minVolume.value) > 0;
  }

  /** The job parameters, or why the form's values cannot be used. */
  private readParams(file: OpenedFile): JobParams | string {
    const read = (input: HTMLInputElement, label: string, min: number, max: number): number | string => {
      const value = Number(input.value);
      if (input.value.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
        return `${label} must be a whole number from ${min} to ${max}.`;
      }
      return value;
    };
    const maxIter = read(this.iterations, 'Iterations', 1, 100000);
    if (typeof maxIter === 'string') return maxIter;
    const seed = read(this.seed, 'Seed', 0, 2 ** 32 - 1);
    if (typeof seed === 'string') return seed;
    const chosen = this.loss.value;
    const restarts = read(this.restarts, 'Restarts', 1, MAX_RESTARTS);
    if (typeof restarts === 'string') return restarts;
    const algorithm = (Object.keys(SOLVER_LOSSES) as NmfAlgorithm[]).find((name) => name === this.algorithm.value && name !== 'auto');
    // Only what differs from the defaults is sent, so hosts that predate an option still run.
    const loss: { loss?: 'kl' | 'frobenius'; algorithm?: NmfAlgorithm; restarts?: number } = {
      ...(chosen === 'kl' || chosen === 'frobenius' ? { loss: chosen } : {}),
      ...(algorithm ? { algorithm } : {}),
      ...(restarts > 1 ? { restarts } : {}),
    };
    if (file.summary.kind === 'cube') {
      const endmembers = read(this.endmembers, 'Endmembers', 1, Math.max(1, file.summary.bands - 1));
      if (typeof endmembers === 'string') return endmembers;
      const weight = (input: HTMLInputElement, label: string, max: number): number | string => {
        const value = Number(input.value);
        return input.value.trim() !== '' && Number.isFinite(value) && value >= 0 && value <= max ? value : `${label} must be a number from 0 to ${max}.`;
      };
      const sparsity = weight(this.sparsity, 'Sparsity', 10);
      if (typeof sparsity === 'string') return sparsity;
      const minVolume = weight(this.minVolume, 'Minimum volume', 100);
      if (typeof minVolume === 'string') return minVolume;
      // Only what differs from the defaults is sent, so hosts that predate an option still run.
      const init = INITS.find((name) => name === this.init.value);
      const options: Partial<UnmixJobParams> = {
        ...(init ? { init } : {}),
        ...(this.sumToOne.checked ? { sumToOne: true } : {}),
        ...(sparsity > 0 ? { sparsity } : {}),
        ...(minVolume > 0 ? { minVolume } : {}),
      };
      return { kind: 'unmix', fileId: file.fileId, endmembers, maxIter, seed, ...loss, ...options };
    }
    const sources = read(this.sources, 'Sources', 1, 32);
    if (typeof sources === 'string') return sources;
    const components = read(this.components, 'Components', 1, 256);
    if (typeof components === 'string') return components;
    if (components < sources) return 'Components must be at least the number of sources.';
    return { kind: 'separate', fileId: file.fileId, sources, components, maxIter, seed, ...loss };
  }
}

const INITS = ['vca', 'spa', 'nndsvd', 'random'] as const satisfies readonly NonNullable<UnmixJobParams['init']>[];

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
