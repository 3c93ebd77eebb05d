/**
 * The affine placement of a raster, in GDAL's geotransform order
 *   X = gt[0] + col·gt[1] + row·gt[2],   Y = gt[3] + col·gt[4] + row·gt[5]
 * for the upper-left corner of pixel (row, col) (GDAL Raster Data Model, "Affine GeoTransform"),
 * read from and written to GeoTIFF tags (GeoTIFF 1.1, OGC 19-008r4 §7.1 "Raster to Model
 * Coordinate Transformation": one tiepoint + ModelPixelScale, or ModelTransformation).
 *
 * Also the two edits a cube's georeferencing needs when preparation changes the pixel grid:
 * cutting a window (shiftGeoReference) and binning (scaleGeoReference). Both act on the tags
 * themselves, so CRS keys pass through untouched.
 */
import type { GeoReference } from './cube.js';

export type GeoTransform = [number, number, number, number, number, number];

const GT_RASTER_TYPE_GEO_KEY = 1025;
const RASTER_PIXEL_IS_POINT = 2;

/**
 * The geotransform of the tags, or null when they do not define one (no tags, several tiepoints
 * without a scale: ground control points). PixelIsPoint rasters are shifted by half a pixel, as
 * GDAL does, so that the result always refers to pixel corners.
 */
export function geoTransformOf(geo: GeoReference | null): GeoTransform | null {
  if (!geo) return null;
  let gt: GeoTransform | null = null;
  const m = geo.modelTransformation;
  if (m && m.length >= 16) {
    gt = [m[3]!, m[0]!, m[1]!, m[7]!, m[4]!, m[5]!];
  } else if (geo.modelTiepoint && geo.modelTiepoint.length === 6 && geo.modelPixelScale && geo.modelPixelScale.length >= 2) {
    const [i, j, , x, y] = geo.modelTiepoint as [number, number, number, number, number, number];
    const [sx, sy] = geo.modelPixelScale as [number, number];
    gt = [x - i * sx, sx, 0, y + j * sy, 0, -sy];
  }
  if (gt && rasterType(geo) === RASTER_PIXEL_IS_POINT) {
    gt[0] -= 0.5 * (gt[1] + gt[2]);
    gt[3] -= 0.5 * (gt[4] + gt[5]);
  }
  return gt;
}

/**
 * GeoTIFF tags placing a raster by geotransform gt (PixelIsArea): tiepoint + scale when the grid
 * is north-up, as GDAL writes it, else a ModelTransformation. CRS keys are the caller's.
 */
export function placementTags(gt: GeoTransform): Pick<GeoReference, 'modelPixelScale' | 'modelTiepoint' | 'modelTransformation'> {
  if (gt[2] === 0 && gt[4] === 0) {
    return { modelPixelScale: [gt[1], -gt[5], 0], modelTiepoint: [0, 0, 0, gt[0], gt[3], 0], modelTransformation: null };
  }
  return {
    modelPixelScale: null,
    modelTiepoint: null,
    modelTransformation: [gt[1], gt[2], 0, gt[0], gt[4], gt[5], 0, gt[3], 0, 0, 0, 0, 0, 0, 0, 1],
  };
}

/** The georeference of the window whose first pixel is (row0, col0) of the original grid. */
export function shiftGeoReference(geo: GeoReference | null, row0: number, col0: number): GeoReference | null {
  if (!geo) return null;
  const out: GeoReference = { ...geo };
  if (geo.modelTiepoint) {
    // Tiepoints pair raster (I, J, K) with model (X, Y, Z): moving the raster origin moves I and J.
    out.modelTiepoint = geo.modelTiepoint.map((v, k) => (k % 6 === 0 ? v - col0 : k % 6 === 1 ? v - row0 : v));
  }
  if (geo.modelTransformation && geo.modelTransformation.length >= 16) {
    const m = geo.modelTransformation.slice();
    m[3] = m[3]! + m[0]! * col0 + m[1]! * row0;
    m[7] = m[7]! + m[4]! * col0 + m[5]! * row0;
    m[11] = m[11]! + m[8]! * col0 + m[9]! * row0;
    out.modelTransformation = m;
  }
  return out;
}

/**
 * The georeference after binning factor×factor pixels into one: raster coordinates divide by the
 * factor, pixel sizes multiply. Exact for PixelIsArea (the usual case); a PixelIsPoint raster's
 * point moves from the first pixel's centre to the block's centre only approximately.
 */
export function scaleGeoReference(geo: GeoReference | null, factor: number): GeoReference | null {
  if (!geo || factor === 1) return geo;
  const out: GeoReference = { ...geo };
  if (geo.modelTiepoint) out.modelTiepoint = geo.modelTiepoint.map((v, k) => (k % 6 < 2 ? v / factor : v));
  if (geo.modelPixelScale) out.modelPixelScale = geo.modelPixelScale.map((v, k) => (k < 2 ? v * factor : v));
  if (geo.modelTransformation && geo.modelTransformation.length >= 16) {
    const m = geo.modelTransformation.slice();
    for (const k of [0, 1, 4, 5, 8, 9]) m[k] = m[k]! * factor;
    out.modelTransformation = m;
  }
  return out;
}

/** The value of a SHORT GeoKey held in the directory itself (TIFFTagLocation 0), or null. */
export function geoKeyValue(geo: GeoReference | null, key: number): number | null {
  const dir = geo?.geoKeyDirectory;
  if (!dir || dir.length < 4) return null;
  const count = dir[3]!;
  for (let k = 0; k < count; k++) {
    const at = 4 + 4 * k;
    if (dir[at] === key && dir[at + 1] === 0) return dir[at + 3] ?? null;
  }
  return null;
}

function rasterType(geo: GeoReference): number | null {
  return geoKeyValue(geo, GT_RASTER_TYPE_GEO_KEY);
}
