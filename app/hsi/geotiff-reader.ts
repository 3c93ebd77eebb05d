import { fromArrayBuffer, type GeoTIFFImage } from 'geotiff';
import type { Cube, GeoReference } from './cube.js';
import { bandMetadataFromGdal, parseGdalMetadata, type GdalMetadataItem } from './gdal-metadata.js';

/** A problem this module diagnosed itself: its message is already meant for the user. */
class GeoTiffProblem extends Error {}

/**
 * Reads the first image of a (Geo)TIFF as a cube: all samples of a pixel are its bands, whatever
 * their type (8/16/32-bit integers, 16/32/64-bit floats; chunky or planar; stripped or tiled; any
 * compression geotiff.js decodes), converted to float32 in band-sequential order.
 *
 * Besides the pixels it keeps what unmixing and writing results back need: GDAL_NODATA, the band
 * wavelengths and descriptions from GDAL_METADATA (conventions in gdal-metadata.ts) and the raw
 * georeferencing tags. Per-band scale and offset (GDAL_METADATA items with role="scale" /
 * role="offset", what `gdal_translate -a_scale/-a_offset` writes) are applied, value = stored ·
 * scale + offset as GDAL's GetScale/GetOffset define it; nodata samples (compared in stored units,
 * as GDAL does) then become NaN and noData NaN. Every error message starts with `${fileName}: `.
 */
export async function readGeoTiff(bytes: ArrayBuffer, fileName: string): Promise<Cube> {
  try {
    return await decode(bytes);
  } catch (error) {
    const reason = error instanceof GeoTiffProblem
      ? error.message
      : `cannot decode it as a TIFF: the file is truncated, corrupt or uses an unsupported feature (${error instanceof Error ? error.message : String(error)})`;
    throw new Error(`${fileName}: ${reason}`, { cause: error });
  }
}

async function decode(bytes: ArrayBuffer): Promise<Cube> {
  checkHeader(bytes);
  const tiff = await fromArrayBuffer(bytes);
  const image = await tiff.getImage(0);
  const cols = image.getWidth();
  const rows = image.getHeight();
  const bands = image.getSamplesPerPixel();
  if (!(rows > 0 && cols > 0)) throw new GeoTiffProblem(`the image is empty (${cols}×${rows} pixels)`);
  if (!(bands > 0)) throw new GeoTiffProblem('the image has zero bands (SamplesPerPixel is 0)');
  for (let b = 0; b < bands; b++) checkSampleType(image, b);
  await checkDataBlocksInside(image, bytes.byteLength);

  const rasters = await image.readRasters();
  const pixels = rows * cols;
  const data = new Float32Array(bands * pixels);
  for (let b = 0; b < bands; b++) {
    const band = rasters[b];
    if (!band || band.length !== pixels) throw new GeoTiffProblem(`band ${b + 1} decoded to ${band?.length ?? 0} values, expected ${pixels}`);
    // Typed-array set converts any integer or float type to float32 (round to nearest).
    data.set(band, b * pixels);
  }

  const directory = image.fileDirectory;
  const metadataXml = directory.hasTag('GDAL_METADATA') ? asciiValue(await directory.loadValue('GDAL_METADATA')) : null;
  const items = metadataXml ? parseGdalMetadata(metadataXml) : [];
  const { wavelengths, wavelengthUnits, bandNames } = bandMetadataFromGdal(items, bands);
  let noData = readNoData(image);
  const { scales, offsets } = bandScaling(items, bands);
  if (scales.some((s) => s !== 1) || offsets.some((o) => o !== 0)) {
    const missing = noData === null ? NaN : Math.fround(noData);
    for (let b = 0; b < bands; b++) {
      const scale = scales[b]!;
      const offset = offsets[b]!;
      const band = data.subarray(b * pixels, (b + 1) * pixels);
      for (let j = 0; j < pixels; j++) band[j] = band[j] === missing ? NaN : band[j]! * scale + offset;
    }
    if (noData !== null) noData = NaN;
  }
  return { rows, cols, bands, data, wavelengths, wavelengthUnits, bandNames, noData, geo: await readGeoReference(image) };
}

/**
 * Per-band scale and offset from GDAL_METADATA (GDAL GTiff driver: `<Item name="SCALE" sample="b"
 * role="scale">` and `<Item name="OFFSET" sample="b" role="offset">`); 1 and 0 where absent. A
 * value that is not a finite number is an error: applying half a calibration would be worse.
 */
function bandScaling(items: readonly GdalMetadataItem[], bands: number): { scales: number[]; offsets: number[] } {
  const scales = new Array<number>(bands).fill(1);
  const offsets = new Array<number>(bands).fill(0);
  for (const item of items) {
    if (item.sample === null || item.sample >= bands || (item.role !== 'scale' && item.role !== 'offset')) continue;
    const value = Number(item.value.trim());
    if (item.value.trim() === '' || !Number.isFinite(value)) {
      throw new GeoTiffProblem(`band ${item.sample + 1} has ${item.role} '${item.value}' in its GDAL metadata, which is not a number`);
    }
    (item.role === 'scale' ? scales : offsets)[item.sample] = value;
  }
  return { scales, offsets };
}

/** TIFF 6.0 §2 "Image File Header": "II" or "MM", then 42 (43 for BigTIFF) in that byte order. */
function checkHeader(bytes: ArrayBuffer): void {
  if (bytes.byteLength === 0) throw new GeoTiffProblem('the file is empty');
  if (bytes.byteLength < 8) throw new GeoTiffProblem(`not a TIFF file (only ${bytes.byteLength} bytes)`);
  const view = new DataView(bytes);
  const order = view.getUint16(0, false);
  if (order !== 0x4949 && order !== 0x4d4d) throw new GeoTiffProblem('not a TIFF file (it does not start with the byte-order mark "II" or "MM")');
  const version = view.getUint16(2, order === 0x4949);
  if (version !== 42 && version !== 43) throw new GeoTiffProblem(`not a TIFF file (version number ${version}, expected 42 or BigTIFF's 43)`);
}

/** SampleFormat (TIFF 6.0 §19): 1 unsigned, 2 signed integer, 3 IEEE float; others are complex or undefined. */
function checkSampleType(image: GeoTIFFImage, sample: number): void {
  const format = image.getSampleFormat(sample);
  const bits = image.getBitsPerSample(sample);
  const ok = format === 3 ? bits === 16 || bits === 32 || bits === 64 : (format === 1 || format === 2) && (bits === 8 || bits === 16 || bits === 32);
  if (!ok) throw new GeoTiffProblem(`band ${sample + 1} has an unsupported sample type (SampleFormat ${format}, ${bits} bits)`);
}

/**
 * A truncated file still parses when its IFD comes first (GDAL writes it there), and geotiff.js then
 * decodes the missing bytes as short blocks or fails deep inside. Checking every strip or tile
 * (TIFF 6.0 §3 StripOffsets/StripByteCounts, §15 TileOffsets/TileByteCounts) against the file size
 * gives a clear message instead.
 */
async function checkDataBlocksInside(image: GeoTIFFImage, fileSize: number): Promise<void> {
  const directory = image.fileDirectory;
  const tiled = !directory.hasTag('StripOffsets');
  const offsets = toNumbers(await directory.loadValue(tiled ? 'TileOffsets' : 'StripOffsets'));
  const counts = toNumbers(await directory.loadValue(tiled ? 'TileByteCounts' : 'StripByteCounts'));
  const what = tiled ? 'tile' : 'strip';
  if (!offsets || !counts || offsets.length !== counts.length || offsets.length === 0) {
    throw new GeoTiffProblem(`the ${what} offsets or byte counts are missing or inconsistent`);
  }
  for (let i = 0; i < offsets.length; i++) {
    const end = offsets[i]! + counts[i]!;
    if (end > fileSize) {
      throw new GeoTiffProblem(`the file is truncated: ${what} ${i + 1} of ${offsets.length} ends at byte ${end}, but the file has ${fileSize} bytes`);
    }
  }
}

/**
 * GDAL_NODATA (tag 42113) is ASCII text, one value for all bands (GDAL GTiff driver docs); GDAL
 * writes non-finite values as "nan", "inf", "-inf". A value that does not parse is ignored.
 */
function readNoData(image: GeoTIFFImage): number | null {
  const directory = image.fileDirectory;
  if (!directory.hasTag('GDAL_NODATA')) return null;
  const text = asciiValue(directory.getValue('GDAL_NODATA'))?.trim().toLowerCase();
  if (!text) return null;
  if (text === 'nan' || text === '-nan') return NaN;
  if (text === 'inf' || text === '+inf' || text === 'infinity') return Infinity;
  if (text === '-inf' || text === '-infinity') return -Infinity;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/**
 * The six GeoTIFF tags, copied as stored (GeoTIFF 1.1 §7.1: ModelPixelScale/ModelTiepoint or
 * ModelTransformation place the raster; the GeoKeyDirectory with its ASCII and DOUBLE parameter
 * tags define the CRS). Null when the file has none of them.
 */
async function readGeoReference(image: GeoTIFFImage): Promise<GeoReference | null> {
  const directory = image.fileDirectory;
  const numbers = async (tag: 'ModelPixelScale' | 'ModelTiepoint' | 'ModelTransformation' | 'GeoKeyDirectory' | 'GeoDoubleParams'): Promise<number[] | null> =>
    directory.hasTag(tag) ? toNumbers(await directory.loadValue(tag)) : null;
  const geo: GeoReference = {
    modelPixelScale: await numbers('ModelPixelScale'),
    modelTiepoint: await numbers('ModelTiepoint'),
    modelTransformation: await numbers('ModelTransformation'),
    geoKeyDirectory: await numbers('GeoKeyDirectory'),
    geoAsciiParams: directory.hasTag('GeoAsciiParams') ? asciiValue(await directory.loadValue('GeoAsciiParams')) : null,
    geoDoubleParams: await numbers('GeoDoubleParams'),
  };
  const placed = geo.modelPixelScale || geo.modelTiepoint || geo.modelTransformation || geo.geoKeyDirectory;
  return placed ? geo : null;
}

function toNumbers(value: unknown): number[] | null {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    return Array.from(value as ArrayLike<unknown>, Number);
  }
  return null;
}

/** A TIFF ASCII value without its NUL terminator (TIFF 6.0 §2: the count includes the NUL). */
function asciiValue(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  return value.endsWith('\u0000') ? value.slice(0, -1) : value;
}
