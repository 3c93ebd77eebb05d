import type { AudioSummary, CubeSummary, OpenedFile } from '../app/host-api.js';
import { fillDescriptionList } from './dom.js';
import { formatBytes, formatChannels, formatDuration, formatNumber, formatRate } from './format.js';

export function wavelengthRange(wavelengths: readonly number[] | null, units: string | null): string {
  if (!wavelengths || wavelengths.length === 0) return 'not given (band index)';
  const low = Math.min(...wavelengths);
  const high = Math.max(...wavelengths);
  return `${formatNumber(low)}–${formatNumber(high)}${units ? ` ${units}` : ''}`;
}

function audioEntries(s: AudioSummary): [string, string][] {
  return [
    ['Duration', formatDuration(s.durationSeconds)],
    ['Sample rate', formatRate(s.sampleRate)],
    ['Channels', `${s.channels} (${formatChannels(s.channels)})`],
    ['Samples', `${s.bitDepth}-bit ${s.float ? 'float' : 'PCM'}`],
  ];
}

function cubeEntries(s: CubeSummary): [string, string][] {
  return [
    ['Size', `${s.rows} × ${s.cols} pixels × ${s.bands} bands`],
    ['Wavelengths', wavelengthRange(s.wavelengths, s.wavelengthUnits)],
    ['Georeferenced', s.georeferenced ? 'yes' : 'no'],
  ];
}

export function renderFileSummary(list: HTMLDListElement, file: OpenedFile): void {
  const entries = file.summary.kind === 'audio' ? audioEntries(file.summary) : cubeEntries(file.summary);
  fillDescriptionList(list, [['Kind', file.summary.kind === 'audio' ? 'audio recording' : 'hyperspectral cube'], ...entries, ['File size', formatBytes(file.byteLength)]]);
}
