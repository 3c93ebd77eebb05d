import { element } from './dom.js';
import { messageOf } from './error-banner.js';
import { plural } from './format.js';
import type { WorkspaceContext } from './workspace-context.js';

/**
 * A workspace's Export all: the button (id export-button: the desktop menu's Export… presses it,
 * desktop-integration.ts), a status line and the list of the files written. The button is enabled
 * while a job's result is shown.
 */
export class ExportControls {
  readonly button: HTMLButtonElement;
  readonly status: HTMLElement;
  readonly list: HTMLUListElement;
  private jobId: string | null = null;
  /** Settles what the export depends on first (e.g. endmember names still being sent to the host). */
  private before: () => Promise<void> = () => Promise.resolve();

  /** `title`: the button's tooltip, saying what the export writes. */
  constructor(
    private readonly context: WorkspaceContext,
    title: string,
  ) {
    this.button = element('button', { text: 'Export all', attrs: { type: 'button', id: 'export-button', 'data-testid': 'export', 'aria-keyshortcuts': 'Control+E Meta+E', title } });
    this.button.disabled = true;
    this.button.addEventListener('click', () => void this.run());
    this.status = element('p', { className: 'hint', attrs: { 'aria-live': 'polite', 'data-testid': 'export-status' } });
    this.list = element('ul', { className: 'export-list', attrs: { 'data-testid': 'export-list' } });
  }

  /** The job whose result Export writes; null disables the button and clears the last export's report. */
  setJob(jobId: string | null): void {
    this.jobId = jobId;
    this.button.disabled = jobId === null;
    if (jobId === null) {
      this.status.textContent = '';
      this.list.replaceChildren();
    }
  }

  setBeforeExport(before: () => Promise<void>): void {
    this.before = before;
  }

  /** Exports the shown result (the button, Ctrl/⌘+E and the desktop menu all come here). */
  async run(): Promise<void> {
    const jobId = this.jobId;
    if (jobId === null || this.button.disabled) return;
    this.button.disabled = true;
    this.status.textContent = 'Exporting…';
    try {
      await this.before();
      const { files } = await this.context.host.exportResult(jobId);
      // The result was cleared meanwhile (a new job): its report no longer belongs here.
      if (this.jobId !== jobId) return;
      // No files: the desktop's save dialog was cancelled.
      this.status.textContent = files.length === 0 ? 'Nothing was exported.' : `Wrote ${plural(files.length, 'file')}:`;
      this.list.replaceChildren(...files.map((path) => element('li', {}, [element('code', { text: path })])));
    } catch (error) {
      if (this.jobId === jobId) this.status.textContent = '';
      this.context.onError(`Export failed: ${messageOf(error)}`);
    } finally {
      this.button.disabled = this.jobId === null;
    }
  }
}
