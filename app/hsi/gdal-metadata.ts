/**
 * GDAL's private TIFF tag GDAL_METADATA (42112, ASCII): an XML document
 *   <GDALMetadata><Item name="…" [sample="N"] [role="…"] [domain="…"]>value</Item>…</GDALMetadata>
 * holding dataset items (no `sample`) and per-band items (`sample` = 0-based band index). This is
 * how GDAL stores band descriptions (role="description") and band metadata such as wavelengths
 * (GDAL GTiff driver documentation, "Metadata"). The format is simple and fixed, so a small
 * tolerant parser is enough; geotiff.js's own getGDALMetadata drops `role`/`domain` and does not
 * decode XML entities.
 */
export interface GdalMetadataItem {
  readonly name: string;
  readonly value: string;
  /** Band index (0-based), or null for a dataset item. */
  readonly sample: number | null;
  readonly role: string | null;
  /** Metadata domain ('' or absent is GDAL's default domain). */
  readonly domain: string | null;
}

const ITEM = /<Item\b([^>]*?)(?:\/>|>([\s\S]*?)<\/Item\s*>)/g;
const ATTRIBUTE = /([A-Za-z_:][-\w:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

export function parseGdalMetadata(xml: string): GdalMetadataItem[] {
  const items: GdalMetadataItem[] = [];
  for (const match of xml.matchAll(ITEM)) {
    const attributes = new Map<string, string>();
    for (const a of (match[1] ?? '').matchAll(ATTRIBUTE)) attributes.set(a[1]!, decodeXml(a[2] ?? a[3] ?? ''));
    const name = attributes.get('name');
    if (name === undefined) continue;
    const sampleText = attributes.get('sample');
    const sample = sampleText === undefined ? null : Number(sampleText);
    if (sample !== null && !(Number.isInteger(sample) && sample >= 0)) continue;
    items.push({
      name,
      value: decodeXml(match[2] ?? ''),
      sample,
      role: attributes.get('role') ?? null,
      domain: attributes.get('domain') || null,
    });
  }
  return items;
}

/**
 * Serialises items as GDAL does. Characters outside 7-bit ASCII are written as numeric character
 * references, because a TIFF ASCII field holds 7-bit codes only (TIFF 6.0 §2, "Field types").
 */
export function formatGdalMetadata(items: readonly GdalMetadataItem[]): string {
  const lines = items.map((item) => {
    let attributes = ` name="${encodeXml(item.name)}"`;
    if (item.domain) attributes += ` domain="${encodeXml(item.domain)}"`;
    if (item.sample !== null) attributes += ` sample="${item.sample}"`;
    if (item.role !== null) attributes += ` role="${encodeXml(item.role)}"`;
    return `  <Item${attributes}>${encodeXml(item.value)}</Item>\n`;
  });
  return `<GDALMetadata>\n${lines.join('')}</GDALMetadata>\n`;
}

export interface BandMetadata {
  readonly wavelengths: number[] | null;
  readonly wavelengthUnits: string | null;
  readonly bandNames: string[] | null;
}

/**
 * Wavelengths and band names from GDAL metadata. Wavelength conventions, tried in order; each
 * counts only when it gives a finite value for every band:
 * 1. per-band `wavelength` (+ `wavelength_units`, per band or dataset-wide): what GDAL's ENVI
 *    driver sets and the GTiff driver then stores; Samson's GeoTIFF uses it;
 * 2. per-band `CENTRAL_WAVELENGTH_UM` in the IMAGERY domain (GDAL ≥ 3.10), in micrometres;
 * 3. a dataset-level ENVI-header list `wavelength = {a, b, …}` (default or ENVI domain).
 */
export function bandMetadataFromGdal(items: readonly GdalMetadataItem[], bands: number): BandMetadata {
  const inDomain = (item: GdalMetadataItem, domain: string | null): boolean =>
    (item.domain ?? '').toUpperCase() === (domain ?? '').toUpperCase();
  const perBand = (name: string, domain: string | null): (string | undefined)[] => {
    const values: (string | undefined)[] = new Array<string | undefined>(bands).fill(undefined);
    for (const item of items) {
      if (item.sample !== null && item.sample < bands && item.name.toLowerCase() === name.toLowerCase() && inDomain(item, domain)) {
        values[item.sample] = item.value;
      }
    }
    return values;
  };
  const dataset = (name: string, domains: readonly (string | null)[]): string | undefined =>
    items.find((item) => item.sample === null && item.name.toLowerCase() === name.toLowerCase() && domains.some((d) => inDomain(item, d)))
      ?.value;

  let wavelengths: number[] | null = null;
  let wavelengthUnits: string | null = null;
  const envi = allFinite(perBand('wavelength', null));
  if (envi) {
    wavelengths = envi;
    const units = perBand('wavelength_units', null).find((u) => u !== undefined && u.trim() !== '') ?? dataset('wavelength_units', [null]);
    wavelengthUnits = units?.trim() || null;
  } else {
    const imagery = allFinite(perBand('CENTRAL_WAVELENGTH_UM', 'IMAGERY'));
    if (imagery) {
      wavelengths = imagery;
      wavelengthUnits = 'Micrometers';
    } else {
      const list = dataset('wavelength', [null, 'ENVI']);
      const values = list === undefined ? null : allFinite(list.replace(/[{}]/g, '').split(','), bands);
      if (values) {
        wavelengths = values;
        wavelengthUnits = (dataset('wavelength_units', [null, 'ENVI']) ?? dataset('wavelength units', [null, 'ENVI']))?.trim() || null;
      }
    }
  }

  const descriptions = new Array<string>(bands).fill('');
  let named = false;
  for (const item of items) {
    if (item.sample !== null && item.sample < bands && item.role === 'description') {
      descriptions[item.sample] = item.value;
      named ||= item.value !== '';
    }
  }
  return { wavelengths, wavelengthUnits, bandNames: named ? descriptions : null };
}

function allFinite(texts: readonly (string | undefined)[], expected = texts.length): number[] | null {
  if (texts.length !== expected || expected === 0) return null;
  const values: number[] = [];
  for (const text of texts) {
    // parseFloat accepts "400.9 nm"; a blank or missing entry fails the whole list.
    const value = text === undefined ? NaN : Number.parseFloat(text);
    if (!Number.isFinite(value)) return null;
    values.push(value);
  }
  return values;
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, body: string) => {
    if (body.startsWith('#x') || body.startsWith('#X')) return safeCodePoint(Number.parseInt(body.slice(2), 16), whole);
    if (body.startsWith('#')) return safeCodePoint(Number.parseInt(body.slice(1), 10), whole);
    return NAMED_ENTITIES[body] ?? whole;
  });
}

function safeCodePoint(code: number, fallback: string): string {
  return Number.isInteger(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : fallback;
}

function encodeXml(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === '"') out += '&quot;';
    else if (code > 0x7e || (code < 0x20 && ch !== '\n' && ch !== '\t')) out += `&#${code};`;
    else out += ch;
  }
  return out;
}
