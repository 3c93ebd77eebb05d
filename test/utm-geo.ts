import type { GeoReference } from '../app/hsi/cube.js';

/** A 30 m grid in UTM zone 11N (EPSG:32611) with its corner at (500000, 4100000): the tests' georeferenced input. */
export const UTM_30M_GEO: GeoReference = {
  modelPixelScale: [30, 30, 0],
  modelTiepoint: [0, 0, 0, 500000, 4100000, 0],
  modelTransformation: null,
  geoKeyDirectory: [1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, 32611],
  geoAsciiParams: null,
  geoDoubleParams: null,
};
