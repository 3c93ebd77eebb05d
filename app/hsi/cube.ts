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

/**
 * ENVI's `map info` (ENVI header spec, "map info"; https://www.nv5geospatialsoftware.com/docs/enviheaderfiles.html):
 * the projection name, a tie point (reference pixel in 1-based file coordinates, where (1, 1) is
 * the upper-left corner of the first pixel, and its map coordinates), the pixel size, then for UTM
 * the zone and hemisphere, the datum and `key=value` options (units, rotation). Kept as read so
 * that an ENVI export writes the same map info; `geo` carries the same placement as GeoTIFF tags.
 */
export interface EnviMapInfo {
  projection: string;
  /** Reference pixel (x = sample, y = line), 1-based file coordinates. */
  referencePixel: [number, number];
  /** Map coordinates (easting, northing or longitude, latitude) of the reference pixel. */
  referenceMap: [number, number];
  /** Pixel size in map units, both positive (y grows southwards in the image). */
  pixelSize: [number, number];
  /** UTM zone (1–60), or null for other projections. */
  zone: number | null;
  /** UTM hemisphere, or null for other projections. */
  hemisphere: 'North' | 'South' | null;
  datum: string | null;
  units: string | null;
  /** Degrees, counter-clockwise (GDAL's reading of ENVI's `rotation=`); 0 when absent. */
  rotation: number;
  /** ENVI `coordinate system string` (OGC WKT as ENVI writes it), verbatim and unparsed: it may be malformed. */
  coordinateSystemString: string | null;
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
  /** Georeferencing as GeoTIFF tags (readers of other formats translate theirs), or null. */
  geo: GeoReference | null;
  /*
   * Optional fields: not every reader knows them (GeoTIFF has no fwhm or bad-band list), and
   * absent means the same as null.
   */
  /** Full width at half maximum of each band, in `wavelengthUnits` (ENVI `fwhm`), or null. */
  fwhm?: number[] | null;
  /** Bad-band mask: true marks a band to leave out (ENVI `bbl` value 0), or null when the file has none. */
  badBands?: boolean[] | null;
  /**
   * ENVI `reflectance scale factor`: stored value ÷ factor = reflectance in 0–1. The data are
   * kept as stored (so `noData` still matches); prepare-cube.ts applies it on request.
   */
  reflectanceScale?: number | null;
  /** ENVI map info as read (for writing ENVI back), or null. */
  enviMap?: EnviMapInfo | null;
  /** The file format the cube was read from, when the reader says. */
  format?: CubeFormat;
}

export type CubeFormat = 'geotiff' | 'envi' | 'mat' | 'npy';

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
