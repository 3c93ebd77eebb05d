/**
 * Seeded pseudo-random numbers that are identical on every platform: mulberry32 (Tommy Ettinger,
 * public domain), a 32-bit state generator built only from Math.imul and integer shifts, so its
 * output does not depend on the host's floating point or on Math.random.
 */
export type Random = () => number;

export function createRandom(seed: number): Random {
  let state = (seed >>> 0) ^ 0x9e3779b9;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
