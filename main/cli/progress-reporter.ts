/** Progress on stderr: one rewritten line on a terminal, a line per 10 % step when redirected. */
import type { JobEvent } from '../../app/host-api.js';

export function createProgressReporter(stream: NodeJS.WriteStream, label: string): { onEvent(event: JobEvent): void; end(): void } {
  let lastStep = -1;
  let wroteTty = false;
  return {
    onEvent(event: JobEvent): void {
      if (event.type !== 'progress') return;
      const percent = Math.floor(event.fraction * 100);
      const detail = event.iteration !== null ? ` iteration ${event.iteration}, objective ${event.objective?.toPrecision(6)}` : '';
      const text = `${label}: ${event.stage} ${percent}%${detail}`;
      if (stream.isTTY) {
        stream.write(`\r\x1b[2K${text}`);
        wroteTty = true;
      } else if (Math.floor(percent / 10) !== lastStep) {
        lastStep = Math.floor(percent / 10);
        stream.write(`${text}\n`);
      }
    },
    end(): void {
      if (wroteTty) stream.write('\n');
    },
  };
}
