/**
 * MATLAB level-5 MAT-files (MathWorks, "MAT-File Format", the version 5/7 layout; v7 adds
 * compression): what `save` writes by default and what the unmixing benchmarks (Samson, Jasper
 * Ridge, Urban) ship in.
 *
 * - Header, 128 bytes: 116 bytes of text ("MATLAB 5.0 MAT-file, …"), 8 bytes of subsystem offset,
 *   version 0x0100 and the endian indicator "IM" (written as the 16-bit value 'M'<<8|'I', so the
 *   bytes read "IM" in a little-endian file and "MI" in a big-endian one).
 * - Then data elements: an 8-byte tag (uint32 data type, uint32 byte count) and the data, padded
 *   to 8 bytes; or the "small data element" form (data ≤ 4 bytes): one uint32 with the byte count
 *   in its upper 16 bits and the type in its lower 16, then the 4 data bytes.
 * - A variable is an miMATRIX element: array flags (miUINT32 ×2: class in the low byte, then the
 *   complex 0x08 / global 0x04 / logical 0x02 bits), dimensions (miINT32), name (miINT8), real
 *   part, imaginary part when complex. Numeric data may be stored in a smaller type than its class
 *   (MATLAB saves a double holding small integers as miUINT8, say); the class says what it means.
 * - miCOMPRESSED (v7): a zlib stream holding one complete element (tag included). Inflated with
 *   fflate (see README, dependencies).
 *
 * Numeric classes (double, single, int8…uint64, logical) are read, real only, into float64 in
 * MATLAB's column-major order. Everything else (cell, struct, object, char, sparse, complex,
 * function handles) is listed as skipped with the reason. int64/uint64 beyond 2^53 round to the
 * nearest float64. Every error message starts with `${fileName}: `.
 */
import { unzlibSync } from 'fflate';

export interface Mat5Variable {
  name: string;
  /** MATLAB's size: at least 2 dimensions. */
  dims: number[];
  /** 'double', 'single', 'int8' … 'uint64' or 'logical'. */
  className: string;
  /** prod(dims) values, column-major: element (i, j, k) at i + dims[0]·(j + dims[1]·k). */
  data: Float64Array;
}

export interface Mat5Skipped {
  name: string;
  className: string;
  dims: number[];
  reason: string;
}

export interface Mat5Contents {
  /** The header's descriptive text, trimmed. */
  description: string;
  littleEndian: boolean;
  variables: Mat5Variable[];
  skipped: Mat5Skipped[];
}

// Data types (MAT-File Format, table "MAT-File Data Types").
const MI_INT8 = 1;
const MI_UINT8 = 2;
const MI_INT16 = 3;
const MI_UINT16 = 4;
const MI_INT32 = 5;
const MI_UINT32 = 6;
const MI_SINGLE = 7;
const MI_DOUBLE = 9;
const MI_INT64 = 12;
const MI_UINT64 = 13;
const MI_MATRIX = 14;
const MI_COMPRESSED = 15;
const MI_UTF8 = 16;
const ELEMENT_SIZES: Readonly<Record<number, number>> = {
  [MI_INT8]: 1, [MI_UINT8]: 1, [MI_INT16]: 2, [MI_UINT16]: 2, [MI_INT32]: 4, [MI_UINT32]: 4,
  [MI_SINGLE]: 4, [MI_DOUBLE]: 8, [MI_INT64]: 8, [MI_UINT64]: 8, [MI_UTF8]: 1,
};

// Array classes (table "MATLAB Array Types (Classes)").
const CLASS_NAMES: Readonly<Record<number, string>> = {
  1: 'cell', 2: 'struct', 3: 'object', 4: 'char', 5: 'sparse', 6: 'double', 7: 'single', 8: 'int8',
  9: 'uint8', 10: 'int16', 11: 'uint16', 12: 'int32', 13: 'uint32', 14: 'int64', 15: 'uint64',
  16: 'function', 17: 'opaque',
};
const NUMERIC_CLASSES = new Set([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
const COMPLEX_FLAG = 0x08;
const LOGICAL_FLAG = 0x02;
const HEADER_BYTES = 128;

class MatProblem extends Error {}

/**
 * Reads every numeric variable. With `names`, returns just those, in that order, and fails
 * clearly when one is missing or not readable (saying why, e.g. "it is a struct").
 */
export function readMat5(bytes: Uint8Array, fileName: string, names?: readonly string[]): Mat5Variable[] {
  const contents = scanMat5(bytes, fileName);
  if (!names) return contents.variables;
  return names.map((name) => {
    const found = contents.variables.find((v) => v.name === name);
    if (found) return found;
    const skipped = contents.skipped.find((v) => v.name === name);
    if (skipped) throw new Error(`${fileName}: variable '${name}' cannot be read: ${skipped.reason}`);
    const present = [...contents.variables, ...contents.skipped].map((v) => v.name).filter((n) => n !== '');
    throw new Error(`${fileName}: no variable '${name}' (the file has ${present.length > 0 ? present.join(', ') : 'no variables'})`);
  });
}

/** Reads the whole file: numeric variables decoded, the others listed with the reason they were skipped. */
export function scanMat5(bytes: Uint8Array, fileName: string): Mat5Contents {
  try {
    return scan(bytes);
  } catch (error) {
    if (error instanceof MatProblem) throw new Error(`${fileName}: ${error.message}`);
    throw error;
  }
}

function scan(bytes: Uint8Array): Mat5Contents {
  if (bytes.length === 0) throw new MatProblem('the file is empty');
  const text = latin1(bytes.subarray(0, Math.min(116, bytes.length)));
  if (!text.startsWith('MATLAB')) throw new MatProblem('not a MAT-file (it does not start with "MATLAB … MAT-file")');
  if (bytes.length < HEADER_BYTES) throw new MatProblem(`truncated MAT-file header: ${bytes.length} of 128 bytes`);
  const indicator = latin1(bytes.subarray(126, 128));
  if (indicator !== 'IM' && indicator !== 'MI') throw new MatProblem(`not a level-5 MAT-file (endian indicator '${indicator}', expected 'IM' or 'MI')`);
  const littleEndian = indicator === 'IM';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(124, littleEndian);
  if (version === 0x0200 || text.startsWith('MATLAB 7.3')) {
    throw new MatProblem('this is a MATLAB v7.3 MAT-file (HDF5 inside), which is not read: save it with save(..., \'-v7\') instead');
  }
  if (version !== 0x0100) throw new MatProblem(`unknown MAT-file version 0x${version.toString(16)} (level 5 is 0x0100)`);

  const contents: Mat5Contents = { description: text.replace(/[\s\0]+$/, ''), littleEndian, variables: [], skipped: [] };
  let pos = HEADER_BYTES;
  let index = 0;
  while (pos + 8 <= bytes.length) {
    index++;
    const type = view.getUint32(pos, littleEndian);
    const size = view.getUint32(pos + 4, littleEndian);
    const start = pos + 8;
    if (start + size > bytes.length) {
      throw new MatProblem(`truncated: data element ${index} at byte ${pos} announces ${size} bytes, only ${bytes.length - start} are left`);
    }
    if (type === MI_COMPRESSED) {
      let inflated: Uint8Array;
      try {
        inflated = unzlibSync(bytes.subarray(start, start + size));
      } catch (error) {
        throw new MatProblem(`compressed data element ${index} at byte ${pos} does not inflate (${error instanceof Error ? error.message : String(error)}): the file is truncated or corrupt`);
      }
      const inner = new DataView(inflated.buffer, inflated.byteOffset, inflated.byteLength);
      if (inflated.length < 8) throw new MatProblem(`compressed data element ${index} holds only ${inflated.length} bytes`);
      const innerType = inner.getUint32(0, littleEndian);
      const innerSize = inner.getUint32(4, littleEndian);
      if (8 + innerSize > inflated.length) throw new MatProblem(`compressed data element ${index} is cut short: it announces ${innerSize} bytes, inflates to ${inflated.length - 8}`);
      if (innerType === MI_MATRIX) readMatrix(inflated, inner, 8, 8 + innerSize, littleEndian, contents, index);
      // No 8-byte padding after a compressed element: MATLAB writes the next tag right after it.
      pos = start + size;
    } else {
      if (type === MI_MATRIX) readMatrix(bytes, view, start, start + size, littleEndian, contents, index);
      pos = start + pad8(size);
    }
  }
  return contents;
}

interface Element {
  type: number;
  start: number;
  size: number;
  next: number;
}

/** The element at pos, in either tag form (see the module comment). */
function element(view: DataView, pos: number, end: number, le: boolean, what: string): Element {
  if (pos + 8 > end) throw new MatProblem(`${what}: the array ends before its ${pos + 8 > view.byteLength ? 'data (truncated file)' : 'sub-elements are complete'}`);
  const word = view.getUint32(pos, le);
  if (word >>> 16 !== 0) {
    const size = word >>> 16;
    if (size > 4) throw new MatProblem(`${what}: malformed small data element (${size} bytes)`);
    return { type: word & 0xffff, start: pos + 4, size, next: pos + 8 };
  }
  const size = view.getUint32(pos + 4, le);
  const start = pos + 8;
  if (start + size > end) throw new MatProblem(`${what}: a sub-element announces ${size} bytes, only ${end - start} are left in the array`);
  return { type: word, start, size, next: start + pad8(size) };
}

function readMatrix(bytes: Uint8Array, view: DataView, start: number, end: number, le: boolean, out: Mat5Contents, index: number): void {
  // An empty miMATRIX (0 bytes) stands for an empty array in some writers: nothing to read.
  if (end - start === 0) return;
  const what = `variable ${index}`;
  const flags = element(view, start, end, le, what);
  if (flags.type !== MI_UINT32 || flags.size < 8) throw new MatProblem(`${what}: malformed array flags`);
  const flagWord = view.getUint32(flags.start, le);
  const classId = flagWord & 0xff;
  const flagBits = (flagWord >>> 8) & 0xff;
  const dimsElement = element(view, flags.next, end, le, what);
  if (dimsElement.type !== MI_INT32 || dimsElement.size % 4 !== 0) throw new MatProblem(`${what}: malformed dimensions`);
  const dims: number[] = [];
  for (let k = 0; k < dimsElement.size / 4; k++) dims.push(view.getInt32(dimsElement.start + 4 * k, le));
  const nameElement = element(view, dimsElement.next, end, le, what);
  const name = latin1(bytes.subarray(nameElement.start, nameElement.start + nameElement.size));
  const label = name === '' ? what : `variable '${name}'`;
  let className = CLASS_NAMES[classId] ?? `class ${classId}`;
  const skip = (reason: string): void => {
    out.skipped.push({ name, className, dims, reason });
  };

  if (!NUMERIC_CLASSES.has(classId)) {
    const reasons: Readonly<Record<string, string>> = {
      cell: 'it is a cell array, not a numeric array',
      struct: 'it is a struct, not a numeric array',
      object: 'it is a MATLAB object, not a numeric array',
      char: 'it is text (a char array), not a numeric array',
      sparse: 'it is a sparse matrix (save it with full(...))',
      function: 'it is a function handle',
      opaque: 'it is an opaque MATLAB object (e.g. a table or string)',
    };
    skip(reasons[className] ?? `unknown array class ${classId}`);
    return;
  }
  if (flagBits & LOGICAL_FLAG) className = 'logical';
  if (flagBits & COMPLEX_FLAG) {
    skip('it has complex values (only real arrays are read)');
    return;
  }
  if (dims.length < 2 || dims.some((d) => !(d >= 0))) throw new MatProblem(`${label}: invalid dimensions [${dims.join(', ')}]`);
  const count = dims.reduce((a, b) => a * b, 1);
  const real = element(view, nameElement.next, end, le, label);
  const size = ELEMENT_SIZES[real.type];
  if (size === undefined || real.type === MI_UTF8) throw new MatProblem(`${label}: its values are stored as data type ${real.type}, which is not numeric`);
  if (real.size !== count * size) {
    throw new MatProblem(`${label}: ${dims.join('×')} needs ${count} values, the data element holds ${real.size / size}`);
  }
  out.variables.push({ name, dims, className, data: decode(view, real.start, count, real.type, le) });
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** count values of MAT data type `type` at byte `start`, as float64. */
function decode(view: DataView, start: number, count: number, type: number, le: boolean): Float64Array {
  const out = new Float64Array(count);
  const size = ELEMENT_SIZES[type]!;
  const at = view.byteOffset + start;
  if (le === HOST_LITTLE_ENDIAN && at % size === 0 && type !== MI_INT64 && type !== MI_UINT64) {
    // The file's order is the host's and the data are aligned: a typed-array view converts in bulk
    // (several times faster than DataView reads on large variables).
    out.set(typedView(view.buffer, at, count, type));
    return out;
  }
  switch (type) {
    case MI_INT8:
      for (let i = 0; i < count; i++) out[i] = view.getInt8(start + i);
      break;
    case MI_UINT8:
      for (let i = 0; i < count; i++) out[i] = view.getUint8(start + i);
      break;
    case MI_INT16:
      for (let i = 0; i < count; i++) out[i] = view.getInt16(start + 2 * i, le);
      break;
    case MI_UINT16:
      for (let i = 0; i < count; i++) out[i] = view.getUint16(start + 2 * i, le);
      break;
    case MI_INT32:
      for (let i = 0; i < count; i++) out[i] = view.getInt32(start + 4 * i, le);
      break;
    case MI_UINT32:
      for (let i = 0; i < count; i++) out[i] = view.getUint32(start + 4 * i, le);
      break;
    case MI_SINGLE:
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(start + 4 * i, le);
      break;
    case MI_DOUBLE:
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(start + 8 * i, le);
      break;
    case MI_INT64:
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigInt64(start + 8 * i, le));
      break;
    case MI_UINT64:
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigUint64(start + 8 * i, le));
      break;
  }
  return out;
}

function typedView(buffer: ArrayBufferLike, at: number, count: number, type: number): ArrayLike<number> {
  switch (type) {
    case MI_INT8:
      return new Int8Array(buffer, at, count);
    case MI_UINT8:
      return new Uint8Array(buffer, at, count);
    case MI_INT16:
      return new Int16Array(buffer, at, count);
    case MI_UINT16:
      return new Uint16Array(buffer, at, count);
    case MI_INT32:
      return new Int32Array(buffer, at, count);
    case MI_UINT32:
      return new Uint32Array(buffer, at, count);
    case MI_SINGLE:
      return new Float32Array(buffer, at, count);
    default:
      return new Float64Array(buffer, at, count);
  }
}

function pad8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}
