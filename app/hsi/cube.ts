import { createMatrix, type Matrix } from '../matrix.js';

/**
 * The georeferencing of a raster as the raw GeoTIFF tags (GeoTIFF 1.1, OGC 19-008r4 §7), kept
 * undecoded so that a writer can copy them verbatim: re-encoding the keys through a CRS library
 * would risk changing a CRS that GDAL reads back differently (Samson's user-defined UTM is an
 * example: its keys are odd but must survive a round trip as they are).
 */
export interface GeoReference {
  /** ModelPixelScaleTag (33550): ScaleX, ScaleY, ScaleZ. */
  modelPixelScale: number[] | null;
  /** ModelTiepointTag (33922): one or more (I, J, K, X, Y, Z) sextuples. */
  modelTiepoint: number[] | null;
  /** ModelTransformationTag (34264): a 4×4 row-major affine matrix, 16 values. */
  modelTransformation: number[] | null;
  /** GeoKeyDirectoryTag (34735): header (version, revision, minor, count) then 4 SHORTs per key. */
  geoKeyDirectory: number[] | null;
  /**
   * GeoAsciiParamsTag (34737) without the TIFF ASCII terminator (TIFF 6.0 §2 "ASCII"): the
   * '|'-separated strings that GeoKeyDirectory entries index by character offset.
   */
  geoAsciiParams: string | null;
  /** GeoDoubleParamsTag (34736). */
  geoDoubleParams: number[] | null;
}

/** A hyperspectral image: `bands` spectral samples for each of rows × cols pixels. */
export interface Cube {
  rows: number;
  cols: number;
  bands: number;
  /**
   * Band-sequential (BSQ): data[b * rows * cols + r * cols + c]. Chosen because unmixing factors
   * the bands × pixels matrix, which in this layout is the buffer itself (see cubeToMatrix).
   */
  data: Float32Array;
  /** Centre wavelength of each band, or null when the file does not say. */
  wavelengths: number[] | null;
  /** As written in the file, e.g. "Nanometers" (GDAL/ENVI) or "Micrometers" (GDAL IMAGERY domain). */
  wavelengthUnits: string | null;
  /** Band descriptions ('' for a band without one), or null when no band has one. */
  bandNames: string[] | null;
  /** Value marking missing samples (GDAL_NODATA); may be NaN. */
  noData: number | null;
  geo: GeoReference | null;
}

/**
 * The cube as the bands × pixels matrix V that unmixing factors (column j = spectrum of pixel j,
 * pixels in row-major order). With BSQ storage this is the same buffer: no copy, so writing to
 * the matrix writes to the cube.
 */
export function cubeToMatrix(cube: Cube): Matrix {
  const pixels = cube.rows * cube.cols;
  if (cube.data.length !== cube.bands * pixels) {
    throw new RangeError(
      `cube data has ${cube.data.length} values, expected ${cube.bands} bands × ${cube.rows}×${cube.cols} pixels = ${cube.bands * pixels}`,
    );
  }
  return createMatrix(cube.bands, pixels, cube.data);
}
