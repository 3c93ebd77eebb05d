import type { JobParams, JobProgressEvent, OpenedFile } from '../app/host-api.js';
import { byId } from './dom.js';
import { formatDuration, formatNumber } from './format.js';

/** The form that sets a job's parameters, its Run/Cancel buttons and the progress display. */
export class RunPanel {
  private readonly form = byId('run-form', HTMLFormElement);
  private readonly audioFields = byId('audio-params', HTMLFieldSetElement);
  private readonly cubeFields = byId('cube-params', HTMLFieldSetElement);
  private readonly sources = byId('sources', HTMLInputElement);
  private readonly components = byId('components', HTMLInputElement);
  private readonly endmembers = byId('endmembers', HTMLInputElement);
  private readonly iterations = byId('iterations', HTMLInputElement);
  private readonly runButton = byId('run-button', HTMLButtonElement);
  private readonly cancelButton = byId('cancel-button', HTMLButtonElement);
  private readonly progress = byId('progress', HTMLProgressElement);
  private readonly stage = byId('stage', HTMLSpanElement);
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
    this.update();
  }

  setFile(file: OpenedFile | null): void {
    this.file = file;
    this.update();
  }

  setRunning(running: boolean): void {
    this.running = running;
    if (running) this.progress.value = 0;
    this.update();
  }

  /** Cancel only makes sense once the host has named the job. */
  setCancellable(cancellable: boolean): void {
    this.cancelButton.disabled = !(this.running && cancellable);
  }

  showProgress(event: JobProgressEvent): void {
    this.progress.value = Math.min(1, Math.max(0, event.fraction));
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
    for (const input of [this.sources, this.components, this.endmembers, this.iterations]) input.disabled = this.running || kind === null;
    this.runButton.disabled = this.running || kind === null;
    this.runButton.setAttribute('aria-busy', String(this.running));
    if (!this.running) this.cancelButton.disabled = true;
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
    if (file.summary.kind === 'cube') {
      const endmembers = read(this.endmembers, 'Endmembers', 1, Math.max(1, file.summary.bands));
      if (typeof endmembers === 'string') return endmembers;
      return { kind: 'unmix', fileId: file.fileId, endmembers, maxIter };
    }
    const sources = read(this.sources, 'Sources', 1, 32);
    if (typeof sources === 'string') return sources;
    const components = read(this.components, 'Components', 1, 256);
    if (typeof components === 'string') return components;
    if (components < sources) return 'Components must be at least the number of sources.';
    return { kind: 'separate', fileId: file.fileId, sources, components, maxIter };
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
