/**
 * ENVI `map info` ↔ GeoTIFF georeferencing.
 *
 * map info (ENVI header spec, "map info"): `{projection, reference pixel x, reference pixel y,
 * map x, map y, x pixel size, y pixel size[, UTM zone, North|South][, datum][, units=…][, rotation=…]}`
 * with the reference pixel in 1-based file coordinates, (1, 1) being the upper-left corner of the
 * first pixel. The geotransform is GDAL's reading of it (frmts/raw/envidataset.cpp, checked against
 * gdalinfo 3.6 in the fixtures), so a file lands where GDAL puts it:
 *   gt = [x − (refX − 1)·dx, dx·cos θ, dx·sin θ, y + (refY − 1)·dy, dy·sin θ, −dy·cos θ]
 * (θ = rotation, 0 when absent; GDAL does not rotate the origin).
 *
 * The CRS becomes an EPSG code in the GeoKeys when the map info names one unambiguously: UTM on
 * WGS-84 (EPSG 326zz north, 327zz south) or NAD83/NAD27 north (269zz/267zz), geographic lat/lon
 * on WGS-84/NAD83/NAD27 (4326/4269/4267). Anything else keeps its placement with no CRS key.
 * `coordinate system string` (WKT) is deliberately not parsed: files in the wild carry malformed
 * ones (Samson's has the semi-major axis "637813..0" and false easting 50000), while the map info
 * fields are what ENVI itself relies on.
 */
import type { EnviMapInfo, GeoReference } from './cube.js';
import { geoKeyValue, geoTransformOf, placementTags, type GeoTransform } from './geo-transform.js';

// GeoKey ids (GeoTIFF 1.1 §7.3) and the codes we write.
const GT_MODEL_TYPE = 1024;
const GT_RASTER_TYPE = 1025;
const GT_CITATION = 1026;
const GEOGRAPHIC_TYPE = 2048;
const GEOG_ANGULAR_UNITS = 2054;
const PROJECTED_CS_TYPE = 3072;
const MODEL_PROJECTED = 1;
const MODEL_GEOGRAPHIC = 2;
const RASTER_PIXEL_IS_AREA = 1;
const ANGULAR_DEGREE = 9102;
const GEO_ASCII_PARAMS_TAG = 34737;

export function parseEnviMapInfo(value: string, coordinateSystemString: string | null, fileName: string): EnviMapInfo {
  const items = value.split(',').map((item) => item.trim());
  const fail = (message: string): never => {
    throw new Error(`${fileName}: map info {${value}}: ${message}`);
  };
  if (items.length < 7) fail('it needs at least a projection name, a reference pixel, its map coordinates and the pixel size (7 values)');
  const numbers = items.slice(1, 7).map((item, k) => {
    const x = Number(item);
    if (item === '' || !Number.isFinite(x)) fail(`value ${k + 2} ('${item}') is not a number`);
    return x;
  });
  const [refX, refY, mapX, mapY, dx, dy] = numbers as [number, number, number, number, number, number];
  if (!(dx > 0 && dy > 0)) fail(`the pixel size ${dx} × ${dy} must be positive`);
  const projection = items[0]!;
  const positional: string[] = [];
  const options = new Map<string, string>();
  for (const item of items.slice(7)) {
    const eq = item.indexOf('=');
    if (eq >= 0) options.set(item.slice(0, eq).trim().toLowerCase(), item.slice(eq + 1).trim());
    else if (item !== '') positional.push(item);
  }
  let zone: number | null = null;
  let hemisphere: 'North' | 'South' | null = null;
  if (/^utm$/i.test(projection)) {
    zone = Number(positional.shift());
    if (!(Number.isInteger(zone) && zone >= 1 && zone <= 60)) fail('a UTM map info needs a zone from 1 to 60 after the pixel size');
    const h = (positional.shift() ?? '').toLowerCase();
    if (h !== 'north' && h !== 'south') fail("a UTM map info needs 'North' or 'South' after the zone");
    hemisphere = h === 'north' ? 'North' : 'South';
  }
  const rotationText = options.get('rotation');
  const rotation = rotationText === undefined ? 0 : Number(rotationText);
  if (!Number.isFinite(rotation)) fail(`rotation '${rotationText}' is not a number`);
  return {
    projection,
    referencePixel: [refX, refY],
    referenceMap: [mapX, mapY],
    pixelSize: [dx, dy],
    zone,
    hemisphere,
    datum: positional[0] ?? null,
    units: options.get('units') ?? null,
    rotation,
    coordinateSystemString,
  };
}

/** The map info as a header value, braces included. */
export function formatEnviMapInfo(info: EnviMapInfo): string {
  const parts: string[] = [info.projection, ...info.referencePixel.map(String), ...info.referenceMap.map(String), ...info.pixelSize.map(String)];
  if (info.zone !== null && info.hemisphere !== null) parts.push(String(info.zone), info.hemisphere);
  if (info.datum !== null) parts.push(info.datum);
  if (info.units !== null) parts.push(`units=${info.units}`);
  if (info.rotation !== 0) parts.push(`rotation=${info.rotation}`);
  return `{${parts.join(', ')}}`;
}

/** GDAL's geotransform for a map info (see the module comment). */
export function enviMapGeoTransform(info: EnviMapInfo): GeoTransform {
  const [refX, refY] = info.referencePixel;
  const [x, y] = info.referenceMap;
  const [dx, dy] = info.pixelSize;
  const theta = (info.rotation * Math.PI) / 180;
  const cos = info.rotation === 0 ? 1 : Math.cos(theta);
  const sin = info.rotation === 0 ? 0 : Math.sin(theta);
  return [x - (refX - 1) * dx, dx * cos, dx * sin, y + (refY - 1) * dy, dy * sin, -dy * cos];
}

/** GeoTIFF tags equivalent to a map info: placement always, CRS keys when an EPSG code is known. */
export function enviMapToGeoReference(info: EnviMapInfo): GeoReference {
  const placement = placementTags(enviMapGeoTransform(info));
  const crs = epsgOf(info);
  const citation = `ENVI map info: ${info.projection}${info.zone !== null ? ` zone ${info.zone} ${info.hemisphere}` : ''}${info.datum ? `, ${info.datum}` : ''}|`;
  const keys: [number, number, number, number][] = [];
  if (crs?.kind === 'projected') keys.push([GT_MODEL_TYPE, 0, 1, MODEL_PROJECTED]);
  if (crs?.kind === 'geographic') keys.push([GT_MODEL_TYPE, 0, 1, MODEL_GEOGRAPHIC]);
  keys.push([GT_RASTER_TYPE, 0, 1, RASTER_PIXEL_IS_AREA]);
  keys.push([GT_CITATION, GEO_ASCII_PARAMS_TAG, citation.length, 0]);
  if (crs?.kind === 'geographic') keys.push([GEOGRAPHIC_TYPE, 0, 1, crs.code], [GEOG_ANGULAR_UNITS, 0, 1, ANGULAR_DEGREE]);
  if (crs?.kind === 'projected') keys.push([PROJECTED_CS_TYPE, 0, 1, crs.code]);
  return {
    ...placement,
    geoKeyDirectory: [1, 1, 0, keys.length, ...keys.flat()],
    geoAsciiParams: citation,
    geoDoubleParams: null,
  };
}

/**
 * A map info for GeoTIFF tags (for writing ENVI from a GeoTIFF-read cube), or null when the tags
 * hold no geotransform. UTM and geographic EPSG codes map back to their ENVI names; any other CRS
 * is written as ENVI's 'Arbitrary' projection (placement only).
 */
export function geoReferenceToEnviMap(geo: GeoReference | null): EnviMapInfo | null {
  const gt = geoTransformOf(geo);
  if (!gt) return null;
  let dx = gt[1];
  let dy = -gt[5];
  let rotation = 0;
  if (gt[2] !== 0 || gt[4] !== 0) {
    // Inverse of GDAL's formula: gt1 = dx cos θ, gt2 = dx sin θ, gt4 = dy sin θ, gt5 = −dy cos θ.
    rotation = (Math.atan2(gt[2], gt[1]) * 180) / Math.PI;
    dx = Math.hypot(gt[1], gt[2]);
    dy = Math.hypot(gt[4], gt[5]);
  }
  const info: EnviMapInfo = {
    projection: 'Arbitrary',
    referencePixel: [1, 1],
    referenceMap: [gt[0], gt[3]],
    pixelSize: [dx, dy],
    zone: null,
    hemisphere: null,
    datum: null,
    units: null,
    rotation,
    coordinateSystemString: null,
  };
  const projected = geoKeyValue(geo, PROJECTED_CS_TYPE);
  const geographic = geoKeyValue(geo, GEOGRAPHIC_TYPE);
  const utm = projected === null ? null : utmOfEpsg(projected);
  if (utm) {
    Object.assign(info, { projection: 'UTM', zone: utm.zone, hemisphere: utm.hemisphere, datum: utm.datum, units: 'Meters' });
  } else if (projected === null && geographic !== null && GEOGRAPHIC_DATUMS[geographic]) {
    Object.assign(info, { projection: 'Geographic Lat/Lon', datum: GEOGRAPHIC_DATUMS[geographic], units: 'Degrees' });
  }
  return info;
}

const GEOGRAPHIC_DATUMS: Readonly<Record<number, string>> = { 4326: 'WGS-84', 4269: 'North America 1983', 4267: 'North America 1927' };

function epsgOf(info: EnviMapInfo): { kind: 'projected' | 'geographic'; code: number } | null {
  const datum = (info.datum ?? '').toLowerCase().replace(/[\s_-]/g, '');
  if (info.zone !== null && info.hemisphere !== null) {
    const north = info.hemisphere === 'North';
    if (datum === 'wgs84') return { kind: 'projected', code: (north ? 32600 : 32700) + info.zone };
    if (datum === 'northamerica1983' && north && info.zone <= 23) return { kind: 'projected', code: 26900 + info.zone };
    if (datum === 'northamerica1927' && north && info.zone >= 3 && info.zone <= 22) return { kind: 'projected', code: 26700 + info.zone };
    return null;
  }
  if (/^geographic lat\/lon$/i.test(info.projection)) {
    if (datum === 'wgs84') return { kind: 'geographic', code: 4326 };
    if (datum === 'northamerica1983') return { kind: 'geographic', code: 4269 };
    if (datum === 'northamerica1927') return { kind: 'geographic', code: 4267 };
  }
  return null;
}

function utmOfEpsg(code: number): { zone: number; hemisphere: 'North' | 'South'; datum: string } | null {
  if (code >= 32601 && code <= 32660) return { zone: code - 32600, hemisphere: 'North', datum: 'WGS-84' };
  if (code >= 32701 && code <= 32760) return { zone: code - 32700, hemisphere: 'South', datum: 'WGS-84' };
  if (code >= 26901 && code <= 26923) return { zone: code - 26900, hemisphere: 'North', datum: 'North America 1983' };
  if (code >= 26703 && code <= 26722) return { zone: code - 26700, hemisphere: 'North', datum: 'North America 1927' };
  return null;
}

/**
 * The map info of a window starting at (row0, col0), re-anchored at its first pixel's corner
 * (reference pixel (1, 1)): exact under GDAL's formula with or without rotation.
 */
export function shiftEnviMap(info: EnviMapInfo | null | undefined, row0: number, col0: number): EnviMapInfo | null {
  if (!info) return null;
  const gt = enviMapGeoTransform(info);
  return { ...info, referencePixel: [1, 1], referenceMap: [gt[0] + col0 * gt[1] + row0 * gt[2], gt[3] + col0 * gt[4] + row0 * gt[5]] };
}

/** The map info after binning factor×factor pixels into one (same corner, larger pixels). */
export function scaleEnviMap(info: EnviMapInfo | null | undefined, factor: number): EnviMapInfo | null {
  if (!info) return null;
  const gt = enviMapGeoTransform(info);
  return { ...info, referencePixel: [1, 1], referenceMap: [gt[0], gt[3]], pixelSize: [info.pixelSize[0] * factor, info.pixelSize[1] * factor] };
}
