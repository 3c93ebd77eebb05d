/** Three bands spread over the range (at 3/4, 1/2 and 1/4 of it): a false-colour default for cubes without visible wavelengths. */
export function defaultTriple(bands: number): [number, number, number] {
  const at = (f: number): number => Math.min(bands - 1, Math.max(0, Math.round(f * (bands - 1))));
  return [at(0.75), at(0.5), at(0.25)];
}
