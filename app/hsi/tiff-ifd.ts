/**
 * Minimal access to the first Image File Directory of a classic TIFF (TIFF 6.0 §2 "TIFF
 * Structure"): an 8-byte header ("II"/"MM", 42, offset of IFD0), then at IFD0 a 2-byte entry
 * count, 12-byte entries (tag, type, count, value or offset), and a 4-byte offset of the next IFD.
 * geotiff-writer.ts uses it to check, trim and complete what geotiff.js's writer produced.
 */
export interface IfdEntry {
  readonly tag: number;
  readonly type: number;
  readonly count: number;
  /** Where the value bytes start: inside the entry when they fit in 4 bytes, else the stored offset. */
  readonly valueOffset: number;
  readonly byteLength: number;
}

/** Bytes per value of each TIFF 6.0 field type (§2 "Field types"); 13 is the IFD type of TIFF Tech Note 1. */
const TYPE_SIZE: Readonly<Record<number, number>> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 };

interface Ifd {
  readonly view: DataView;
  readonly little: boolean;
  readonly offset: number;
  readonly entries: IfdEntry[];
}

function parseFirstIfd(bytes: Uint8Array): Ifd {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 8) throw new RangeError('TIFF shorter than its 8-byte header');
  const order = view.getUint16(0, false);
  if (order !== 0x4949 && order !== 0x4d4d) throw new RangeError('not a TIFF byte-order mark');
  const little = order === 0x4949;
  if (view.getUint16(2, little) !== 42) throw new RangeError('not a classic TIFF (version 42)');
  const offset = view.getUint32(4, little);
  if (offset + 2 > bytes.byteLength) throw new RangeError('IFD0 offset lies outside the file');
  const count = view.getUint16(offset, little);
  if (offset + 2 + 12 * count + 4 > bytes.byteLength) throw new RangeError('IFD0 extends past the end of the file');
  const entries: IfdEntry[] = [];
  for (let i = 0; i < count; i++) {
    const at = offset + 2 + 12 * i;
    const type = view.getUint16(at + 2, little);
    const n = view.getUint32(at + 4, little);
    const byteLength = (TYPE_SIZE[type] ?? 1) * n;
    entries.push({ tag: view.getUint16(at, little), type, count: n, valueOffset: byteLength <= 4 ? at + 8 : view.getUint32(at + 8, little), byteLength });
  }
  return { view, little, offset, entries };
}

export function readFirstIfd(bytes: Uint8Array): IfdEntry[] {
  return parseFirstIfd(bytes).entries;
}

/** The first value of a SHORT or LONG entry (e.g. StripOffsets), or null when absent. */
export function readFirstInteger(bytes: Uint8Array, tag: number): number | null {
  const { view, little, entries } = parseFirstIfd(bytes);
  const entry = entries.find((e) => e.tag === tag);
  if (!entry || entry.count === 0) return null;
  if (entry.type === 3) return view.getUint16(entry.valueOffset, little);
  if (entry.type === 4) return view.getUint32(entry.valueOffset, little);
  return null;
}

/**
 * Removes the entries with the given tags from IFD0, in place: the remaining entries move up (they
 * stay sorted, as TIFF 6.0 requires), the count shrinks and the next-IFD offset follows them. The
 * removed entries' out-of-line values stay behind as unreferenced bytes, which TIFF allows.
 */
export function removeIfdEntries(bytes: Uint8Array, tags: ReadonlySet<number>): void {
  const { view, little, offset, entries } = parseFirstIfd(bytes);
  const nextIfdAt = offset + 2 + 12 * entries.length;
  const nextIfd = view.getUint32(nextIfdAt, little);
  const kept: Uint8Array[] = [];
  entries.forEach((entry, i) => {
    if (!tags.has(entry.tag)) kept.push(bytes.slice(offset + 2 + 12 * i, offset + 14 + 12 * i));
  });
  if (kept.length === entries.length) return;
  view.setUint16(offset, kept.length, little);
  kept.forEach((entry, i) => bytes.set(entry, offset + 2 + 12 * i));
  const end = offset + 2 + 12 * kept.length;
  view.setUint32(end, nextIfd, little);
  bytes.fill(0, end + 4, nextIfdAt + 4);
}

/**
 * Gives the existing IFD0 entry `tag` a new SHORT (type 3) or ASCII (type 2) value. A value of up to
 * 4 bytes goes into the entry itself, left-justified; a longer one is appended to the file, at an
 * even offset (TIFF 6.0 §2: values may lie anywhere in the file, starting on a word boundary), so
 * the result may be a new, longer buffer.
 */
export function setIfdValue(bytes: Uint8Array, tag: number, value: { readonly shorts: readonly number[] } | { readonly ascii: string }): Uint8Array {
  const { view, little, offset, entries } = parseFirstIfd(bytes);
  const index = entries.findIndex((e) => e.tag === tag);
  if (index < 0) throw new RangeError(`IFD0 has no entry for tag ${tag}`);
  const type = 'shorts' in value ? 3 : 2;
  // ASCII values end with a NUL that the count includes (TIFF 6.0 §2); callers pass 7-bit text.
  const count = 'shorts' in value ? value.shorts.length : value.ascii.length + 1;
  const byteLength = 'shorts' in value ? 2 * count : count;
  const at = offset + 2 + 12 * index;
  let out = bytes;
  let valueAt = at + 8;
  if (byteLength > 4) {
    valueAt = bytes.byteLength + (bytes.byteLength & 1);
    out = new Uint8Array(valueAt + byteLength);
    out.set(bytes);
  }
  const outView = out === bytes ? view : new DataView(out.buffer, out.byteOffset, out.byteLength);
  outView.setUint16(at + 2, type, little);
  outView.setUint32(at + 4, count, little);
  if (byteLength <= 4) outView.setUint32(at + 8, 0, little);
  else outView.setUint32(at + 8, valueAt, little);
  if ('shorts' in value) value.shorts.forEach((x, i) => outView.setUint16(valueAt + 2 * i, x, little));
  else for (let i = 0; i < value.ascii.length; i++) out[valueAt + i] = value.ascii.charCodeAt(i) & 0x7f;
  return out;
}
