/**
 * The files a finished job exports, as names and bytes, before anything touches the disk.
 * Names follow `<input stem>.<what>.<ext>`, so outputs sort next to their input.
 */
import { encodeWav, wavFormatFor, type WavFormat } from '../../app/audio/wav-codec.js';
import type { Cube } from '../../app/hsi/cube.js';
import { writeEnvi } from '../../app/hsi/envi-writer.js';
import { writeGeoTiff } from '../../app/hsi/geotiff-writer.js';
import { abundancePng, sharedRange } from '../../app/image/abundance-png.js';
import type { WorkerOutput } from '../../native-workers/common/job-protocol.js';

export interface NamedOutput {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export interface OutputOptions {
  /** Audio sample format; default: the input's (16-bit stays 16-bit, float stays float). */
  readonly wavFormat?: WavFormat;
  /**
   * Unmixing: one name per endmember (HostApi.renameEndmembers, `--endmember-names`), used in the
   * CSV header, the ENVI band names, the GeoTIFF band descriptions and the PNG file names.
   * Default `endmember-1`…`endmember-P`.
   */
  readonly endmemberNames?: readonly string[];
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
      const { abundances } = output.output;
      const { rows, cols } = output.cube;
      const pixels = rows * cols;
      const maps = Array.from({ length: abundances.rows }, (_, p) => abundances.data.subarray(p * pixels, (p + 1) * pixels));
      const names = endmemberNames(output, options.endmemberNames);
      // Pixels left out of the fit (nodata, NaN) have a NaN reconstruction error: grey in the PNGs.
      const rmse = output.output.rmse;
      const valid = new Uint8Array(pixels);
      for (let j = 0; j < pixels; j++) valid[j] = Number.isFinite(rmse[j]!) ? 1 : 0;
      const range = sharedRange(maps, output.output.method.sumToOne, valid);
      return [
        { name: `${stem}.abundances.tif`, bytes: writeGeoTiff(maps, rows, cols, { geo: output.cube.geo, bandNames: names }) },
        { name: `${stem}.endmembers.csv`, bytes: new TextEncoder().encode(endmembersCsv(output, names)) },
        // The same maps for ENVI users: float32 BSQ + header with the map info (ENVI header spec).
        ...enviFiles(`${stem}.abundances`, {
          rows, cols, bands: maps.length, data: abundances.data.subarray(0, maps.length * pixels),
          wavelengths: null, wavelengthUnits: null, bandNames: names, noData: null,
          geo: output.cube.geo, enviMap: output.cube.enviMap ?? null,
        }),
        // Per-pixel reconstruction RMSE over the bands (NaN where the pixel was masked).
        { name: `${stem}.rmse.tif`, bytes: writeGeoTiff([output.output.rmse], rows, cols, { geo: output.cube.geo, bandNames: ['rmse'] }) },
        // One picture per map on the shared colour scale (0…1 for fractions), with its colour bar.
        ...maps.map((map, p) => ({
          name: abundancePngName(stem, p, names[p]!),
          bytes: abundancePng(map, rows, cols, { range, validMask: valid, title: `${names[p]!} abundance` }),
        })),
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

/** The endmembers' names: the given ones (checked), or `endmember-1`…`endmember-P`. */
export function endmemberNames(output: WorkerOutput & { kind: 'unmix' }, given?: readonly string[]): string[] {
  const count = output.output.endmembers.cols;
  if (!given) return Array.from({ length: count }, (_, p) => `endmember-${p + 1}`);
  checkEndmemberNames(given, count);
  return [...given];
}

/** The rules HostApi.renameEndmembers and `--endmember-names` enforce, with the count of this job. */
export function checkEndmemberNames(names: readonly string[], count: number): void {
  if (names.length !== count) throw new RangeError(`${names.length} endmember name${names.length === 1 ? '' : 's'} for ${count} endmembers`);
  names.forEach((name, p) => {
    const problem = endmemberNameProblem(name);
    if (problem) throw new RangeError(`endmember name ${p + 1} ${problem}`);
  });
}

/** Why a name is refused, or null: empty, over 64 characters or holding control characters. */
export function endmemberNameProblem(name: string): string | null {
  if (name.trim() === '') return 'is empty';
  if (name.length > 64) return `is ${name.length} characters long (at most 64)`;
  // C0 and C1 control characters (Unicode category Cc): they would break CSV rows, ENVI headers and file names.
  if (/\p{Cc}/u.test(name)) return 'contains a control character';
  return null;
}

/**
 * `<stem>.abundance-<k>-<name>.png`, k from 1 (so names that clean up alike stay distinct); the
 * name keeps letters, digits, '-', '_' and '.', everything else becomes '-'.
 */
export function abundancePngName(stem: string, index: number, name: string): string {
  const clean = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  return `${stem}.abundance-${index + 1}${clean ? `-${clean}` : ''}.png`;
}

/**
 * Endmember spectra, one row per band: wavelength (or band number) first, then one column each,
 * headed by the endmember's name (quoted per RFC 4180 when it holds a comma, quote or space at
 * either end).
 */
export function endmembersCsv(output: WorkerOutput & { kind: 'unmix' }, names: readonly string[] = endmemberNames(output)): string {
  const { endmembers } = output.output;
  const wavelengths = output.cube.wavelengths;
  const unit = output.cube.wavelengthUnits;
  const header = [wavelengths ? `wavelength${unit ? ` (${unit})` : ''}` : 'band'];
  for (let p = 0; p < endmembers.cols; p++) header.push(csvField(names[p]!));
  const lines = [header.join(',')];
  for (let b = 0; b < endmembers.rows; b++) {
    const row = [String(wavelengths ? wavelengths[b] : b + 1)];
    for (let p = 0; p < endmembers.cols; p++) row.push(String(endmembers.data[b * endmembers.cols + p]));
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

function csvField(text: string): string {
  return /[",]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
