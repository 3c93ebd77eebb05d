/**
 * The files a finished job exports, as names and bytes, before anything touches the disk.
 * Names follow `<input stem>.<what>.<ext>`, so outputs sort next to their input.
 */
import { encodeWav, wavFormatFor, type WavFormat } from '../../app/audio/wav-codec.js';
import type { Cube } from '../../app/hsi/cube.js';
import { writeEnvi } from '../../app/hsi/envi-writer.js';
import { writeGeoTiff } from '../../app/hsi/geotiff-writer.js';
import type { WorkerOutput } from '../../native-workers/common/job-protocol.js';

export interface NamedOutput {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export interface OutputOptions {
  /** Audio sample format; default: the input's (16-bit stays 16-bit, float stays float). */
  readonly wavFormat?: WavFormat;
}

export function inputStem(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

export function sourceWav(output: WorkerOutput & { kind: 'separate' }, index: number, format?: WavFormat): Uint8Array {
  const source = output.output.sources[index];
  if (!source) throw new RangeError(`no source ${index + 1}: the job has ${output.output.sources.length}`);
  return encodeWav(
    { sampleRate: output.output.sampleRate, channels: source.channels },
    format ?? wavFormatFor(output.audio.bitDepth, output.audio.float),
  );
}

export function jobOutputs(fileName: string, output: WorkerOutput, options: OutputOptions = {}): NamedOutput[] {
  const stem = inputStem(fileName);
  switch (output.kind) {
    case 'separate':
      return output.output.sources.map((source, i) => ({
        name: `${stem}.${source.name}.wav`,
        bytes: sourceWav(output, i, options.wavFormat),
      }));
    case 'unmix': {
      const { abundances, endmembers } = output.output;
      const { rows, cols } = output.cube;
      const pixels = rows * cols;
      const maps = Array.from({ length: abundances.rows }, (_, p) => abundances.data.subarray(p * pixels, (p + 1) * pixels));
      const names = maps.map((_, p) => `endmember-${p + 1}`);
      return [
        { name: `${stem}.abundances.tif`, bytes: writeGeoTiff(maps, rows, cols, { geo: output.cube.geo, bandNames: names }) },
        { name: `${stem}.endmembers.csv`, bytes: new TextEncoder().encode(endmembersCsv(output)) },
        // The same maps for ENVI users: float32 BSQ + header with the map info (ENVI header spec).
        ...enviFiles(`${stem}.abundances`, {
          rows, cols, bands: maps.length, data: abundances.data.subarray(0, maps.length * pixels),
          wavelengths: null, wavelengthUnits: null, bandNames: names, noData: null,
          geo: output.cube.geo, enviMap: output.cube.enviMap ?? null,
        }),
        // Per-pixel reconstruction RMSE over the bands (NaN where the pixel was masked).
        { name: `${stem}.rmse.tif`, bytes: writeGeoTiff([output.output.rmse], rows, cols, { geo: output.cube.geo, bandNames: ['rmse'] }) },
      ];
    }
    case 'factorize':
    case 'rankSweep':
    case 'resynthesize':
      throw new Error(`${output.kind} jobs export through the CLI, not here`);
  }
}

/** `<base>.img` + `<base>.hdr`, the pair an ENVI reader (and GDAL) opens from either name. */
function enviFiles(base: string, cube: Cube): NamedOutput[] {
  const { header, data } = writeEnvi(cube, { description: 'NMF Studio abundance maps' });
  return [
    { name: `${base}.img`, bytes: data },
    { name: `${base}.hdr`, bytes: header },
  ];
}

/** Endmember spectra, one row per band: wavelength (or band number) first, then one column each. */
export function endmembersCsv(output: WorkerOutput & { kind: 'unmix' }): string {
  const { endmembers } = output.output;
  const wavelengths = output.cube.wavelengths;
  const unit = output.cube.wavelengthUnits;
  const header = [wavelengths ? `wavelength${unit ? ` (${unit})` : ''}` : 'band'];
  for (let p = 0; p < endmembers.cols; p++) header.push(`endmember-${p + 1}`);
  const lines = [header.join(',')];
  for (let b = 0; b < endmembers.rows; b++) {
    const row = [String(wavelengths ? wavelengths[b] : b + 1)];
    for (let p = 0; p < endmembers.cols; p++) row.push(String(endmembers.data[b * endmembers.cols + p]));
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}
