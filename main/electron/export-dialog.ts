/**
 * Export from the desktop asks where, with the native save dialog: the name chosen is the folder
 * that receives the job's files (a separation writes one WAV per source, an unmixing a GeoTIFF and
 * a CSV, so one name stands for several files). The folder is created if needed, and existing
 * files are never overwritten (the session host numbers new ones, main/host/atomic-write.ts).
 * Plain module: the dialog and the host are parameters.
 */
import { dirname, join } from 'node:path';
import type { ExportResult } from '../../app/host-api.js';
import type { ExportOptions } from '../host/session-host.js';
import { inputStem } from '../host/job-outputs.js';

export interface SaveDialogOptions {
  readonly title: string;
  readonly buttonLabel: string;
  readonly defaultPath: string;
  readonly properties: ('createDirectory' | 'showOverwriteConfirmation')[];
}

export interface ExportDialogDeps {
  showSaveDialog(options: SaveDialogOptions): Promise<{ canceled: boolean; filePath?: string }>;
  /** What the job was run on and what it produced (HostApi.getResult's summary). */
  describe(jobId: string): Promise<{ input: string; kind: 'audio' | 'cube' }>;
  exportWith(jobId: string, options: ExportOptions): Promise<ExportResult>;
}

export class ExportDialog {
  private lastFolder: string;

  constructor(
    private readonly deps: ExportDialogDeps,
    defaultFolder: string,
  ) {
    this.lastFolder = defaultFolder;
  }

  /** Asks where, then exports; a cancelled dialog exports nothing and reports no files. */
  async exportResult(jobId: string): Promise<ExportResult> {
    const { input, kind } = await this.deps.describe(jobId);
    const suggested = `${inputStem(input)} ${kind === 'audio' ? 'sources' : 'unmixed'}`;
    const choice = await this.deps.showSaveDialog({
      title: 'Export results',
      buttonLabel: 'Export',
      defaultPath: join(this.lastFolder, suggested),
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    });
    if (choice.canceled || !choice.filePath) return { files: [] };
    const result = await this.deps.exportWith(jobId, { directory: choice.filePath, onExisting: 'rename' });
    this.lastFolder = dirname(choice.filePath);
    return result;
  }
}
