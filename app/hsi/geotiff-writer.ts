import { globals, writeArrayBuffer, type GeotiffWriterMetadata } from 'geotiff';
import type { GeoReference } from './cube.js';
import { formatGdalMetadata, type GdalMetadataItem } from './gdal-metadata.js';
import { readFirstIfd, readFirstInteger, removeIfdEntries, setIfdValue } from './tiff-ifd.js';

export interface WriteGeoTiffOptions {
  /** Georeferencing to copy verbatim (from readGeoTiff), or null for a plain raster. */
  geo: GeoReference | null;
  /** Written as GDAL_NODATA. */
  noData?: number | null;
  /** One description per band ('' for none), stored as GDAL band descriptions. */
  bandNames?: string[] | null;
}

// Tag numbers: TIFF 6.0 (§8, §18, §19), GDAL's private GDAL_METADATA, GeoTIFF 1.1 §7 (geo tags).
const BITS_PER_SAMPLE = 258;
const STRIP_OFFSETS = 273;
const EXTRA_SAMPLES = 338;
const SAMPLE_FORMAT = 339;
const GDAL_METADATA = 42112;
const GEO_TAGS = {
  modelPixelScale: 33550,
  modelTiepoint: 33922,
  modelTransformation: 34264,
  geoKeyDirectory: 34735,
  geoDoubleParams: 34736,
  geoAsciiParams: 34737,
} as const satisfies Record<keyof GeoReference, number>;
// geotiff.js writes ImageWidth, ImageLength and SamplesPerPixel as SHORT and offsets as LONG.
const MAX_SHORT = 65535;
const MAX_LONG = 2 ** 32 - 1;

/**
 * Writes bands (each rows × cols, row-major) as one multi-band float32 GeoTIFF through geotiff.js's
 * writeArrayBuffer: uncompressed, pixel-interleaved, one strip, big-endian.
 *
 * That writer needs five corrections, all made here:
 * - it invents georeferencing (EPSG:4326 keys, a whole-globe ModelPixelScale and, unless a
 *   ModelTransformation is given, a ModelTiepoint that overwrites ours) when it is given neither
 *   GeographicTypeGeoKey nor ProjectedCSTypeGeoKey: we declare one (undefined, so nothing is
 *   written for it), and remove from the result every geo tag the input did not have;
 * - its PhotometricInterpretation default is RGB for exactly 3 bands: we force BlackIsZero (1);
 * - its ExtraSamples default [0] says one extra sample whatever the band count; TIFF 6.0 §18 wants
 *   SamplesPerPixel − 1 of them after the single BlackIsZero channel (GDAL writes the same), and
 *   none for one band;
 * - it does not know the type of GDAL_METADATA (42112), needed for band descriptions: we register
 *   it as ASCII, the type GDAL uses;
 * - it lays the header and IFD out in a fixed 1000 bytes before the pixels and silently truncates
 *   what does not fit: with the per-band tags (BitsPerSample, SampleFormat, ExtraSamples: 6 bytes a
 *   band) and band descriptions (~70 bytes a band) only a few bands would fit next to a
 *   georeference. We pass one-value placeholders for those tags and then give the entries their
 *   real values appended after the pixels (tiff-ifd.ts). What is left in the 1000 bytes (about 30
 *   entries and the geo tags) is checked, and an oversized georeference is an error.
 */
export function writeGeoTiff(bands: readonly Float32Array[], rows: number, cols: number, options: WriteGeoTiffOptions): Uint8Array {
  const n = bands.length;
  const pixels = rows * cols;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1 || rows > MAX_SHORT || cols > MAX_SHORT) {
    throw new RangeError(`writeGeoTiff: image size ${cols}×${rows} must be between 1 and ${MAX_SHORT} pixels each way`);
  }
  if (n < 1 || n > MAX_SHORT) throw new RangeError(`writeGeoTiff: need 1 to ${MAX_SHORT} bands, got ${n}`);
  bands.forEach((band, b) => {
    if (band.length !== pixels) throw new RangeError(`writeGeoTiff: band ${b + 1} has ${band.length} values, expected ${rows}×${cols} = ${pixels}`);
  });
  if (n * pixels * 4 + 1000 > MAX_LONG) throw new RangeError(`writeGeoTiff: ${n} bands of ${cols}×${rows} exceed the 4 GiB of a classic TIFF`);
  const names = options.bandNames ?? null;
  if (names && names.length !== n) throw new RangeError(`writeGeoTiff: ${names.length} band names for ${n} bands`);

  // One strip with PlanarConfiguration 1 (TIFF 6.0 §8): samples of a pixel are contiguous.
  const interleaved = new Float32Array(n * pixels);
  for (let b = 0; b < n; b++) {
    const band = bands[b]!;
    for (let p = 0; p < pixels; p++) interleaved[p * n + b] = band[p]!;
  }

  const geo = options.geo;
  const metadata: GeotiffWriterMetadata & { GDAL_METADATA?: string } = {
    width: cols,
    height: rows,
    PhotometricInterpretation: 1,
    // Placeholders, completed below once the file exists (see the last point above).
    BitsPerSample: [32],
    SampleFormat: [3],
    ExtraSamples: [0],
    // An own property, even undefined, turns off the invented EPSG:4326 georeferencing; with a
    // GeoKeyDirectory given the writer then writes the directory as is and drops this key.
    GeographicTypeGeoKey: undefined,
  };
  if (geo) {
    if (geo.modelPixelScale) metadata.ModelPixelScale = [...geo.modelPixelScale];
    if (geo.modelTiepoint) metadata.ModelTiepoint = [...geo.modelTiepoint];
    if (geo.modelTransformation) metadata.ModelTransformation = [...geo.modelTransformation];
    if (geo.geoKeyDirectory) metadata.GeoKeyDirectory = [...geo.geoKeyDirectory];
    if (geo.geoAsciiParams !== null) metadata.GeoAsciiParams = geo.geoAsciiParams;
    if (geo.geoDoubleParams) metadata.GeoDoubleParams = [...geo.geoDoubleParams];
  }
  if (options.noData !== undefined && options.noData !== null) metadata.GDAL_NODATA = formatNoData(options.noData);
  const items: GdalMetadataItem[] = [];
  names?.forEach((name, sample) => {
    if (name !== '') items.push({ name: 'DESCRIPTION', value: name, sample, role: 'description', domain: null });
  });
  if (items.length > 0) {
    registerGdalMetadataTag();
    metadata.GDAL_METADATA = '-';
  }

  let bytes: Uint8Array = new Uint8Array(writeArrayBuffer(interleaved, metadata));
  checkHeaderFits(bytes);

  const unwanted = new Set<number>();
  for (const key of Object.keys(GEO_TAGS) as (keyof GeoReference)[]) {
    if (!geo || geo[key] === null) unwanted.add(GEO_TAGS[key]);
  }
  if (n === 1) unwanted.add(EXTRA_SAMPLES);
  removeIfdEntries(bytes, unwanted);

  bytes = setIfdValue(bytes, BITS_PER_SAMPLE, { shorts: new Array<number>(n).fill(32) });
  bytes = setIfdValue(bytes, SAMPLE_FORMAT, { shorts: new Array<number>(n).fill(3) }); // 3: IEEE float (TIFF 6.0 §19)
  if (n > 1) bytes = setIfdValue(bytes, EXTRA_SAMPLES, { shorts: new Array<number>(n - 1).fill(0) }); // 0: unspecified data
  if (items.length > 0) bytes = setIfdValue(bytes, GDAL_METADATA, { ascii: formatGdalMetadata(items) });
  return bytes;
}

/** GDAL_NODATA is the value as ASCII text; GDAL spells the non-finite ones "nan", "inf", "-inf". */
function formatNoData(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  // The pixels are float32: write the float32 value so that GDAL's comparison matches them.
  return String(Math.fround(value));
}

function registerGdalMetadataTag(): void {
  const types = globals.fieldTagTypes as Record<number, string>;
  types[GDAL_METADATA] ??= 'ASCII';
}

/** Every IFD value must end before the pixel data, which geotiff.js places at byte 1000. */
function checkHeaderFits(bytes: Uint8Array): void {
  const dataStart = readFirstInteger(bytes, STRIP_OFFSETS) ?? 0;
  const needed = Math.max(...readFirstIfd(bytes).map((e) => (e.byteLength > 4 ? e.valueOffset + e.byteLength : 0)));
  if (needed > dataStart) {
    throw new RangeError(
      `writeGeoTiff: the TIFF header with this georeference needs ${needed} bytes, but geotiff.js's writer reserves ${dataStart}`,
    );
  }
}
