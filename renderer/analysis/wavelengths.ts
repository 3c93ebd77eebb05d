/**
 * Wavelengths in nanometres from what a file says. Units are free text in ENVI and GDAL
 * ("Nanometers", "Micrometers", "nm", "µm"…); without units, values of 0.3–3 are taken as µm and
 * 300–3000 as nm, the two conventions hyperspectral files use.
 */
export function wavelengthsInNm(wavelengths: readonly number[] | null, units: string | null): number[] | null {
  if (!wavelengths || wavelengths.length === 0) return null;
  const unit = (units ?? '').trim().toLowerCase();
  let factor: number | null = null;
  if (/^(nanomet|nm$)/.test(unit)) factor = 1;
  else if (/^(micromet|microns?$|um$|µm$|μm$)/.test(unit)) factor = 1000;
  else if (/^(millimet|mm$)/.test(unit)) factor = 1e6;
  else if (unit === '') {
    const max = Math.max(...wavelengths);
    factor = max > 0.3 && max < 3 ? 1000 : max >= 300 && max <= 3000 ? 1 : null;
  }
  return factor === null ? null : wavelengths.map((w) => w * factor!);
}

/** Display peaks of the eye's red, green and blue (a common choice for true-colour composites). */
export const TRUE_COLOR_NM = [640, 550, 465] as const;

/**
 * The bands nearest 640, 550 and 465 nm, or null when the cube does not reach into the blue and
 * the red within 30 nm (then a "true colour" picture would be a guess).
 */
export function trueColorBands(nm: readonly number[] | null): [number, number, number] | null {
  if (!nm) return null;
  const nearest = (target: number): number | null => {
    let best = -1;
    for (let b = 0; b < nm.length; b++) if (best < 0 || Math.abs(nm[b]! - target) < Math.abs(nm[best]! - target)) best = b;
    return best >= 0 && Math.abs(nm[best]! - target) <= 30 ? best : null;
  };
  const [r, g, b] = TRUE_COLOR_NM.map(nearest);
  return r === null || g === null || b === null || r === undefined || g === undefined || b === undefined ? null : [r, g, b];
}
