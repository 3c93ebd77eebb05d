/**
 * NumPy's .npy format (NEP 1, Kern 2007, "A Simple File Format for NumPy Arrays";
 * https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
 *   "\x93NUMPY", major, minor, header length (uint16 LE for 1.0, uint32 LE for 2.0/3.0),
 *   a Python dict literal {'descr': …, 'fortran_order': …, 'shape': (…), } padded with spaces
 *   and a newline so that the data starts on a 64-byte boundary, then the raw array data.
 * Version 3.0 differs from 2.0 only in allowing UTF-8 in the header (1.0/2.0 are latin-1).
 *
 * Only plain DataView/TextDecoder: this module runs in every host (app/ rule).
 */
import { createMatrix, type Matrix } from '../matrix.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Bytes before the header text: magic (6), version (2), header length (2 or 4). */
const PREFIX_V1 = 10;
const PREFIX_V2 = 12;

/** Element types readNpy converts to float32 (dtype.str without the byte-order character). */
const KINDS = {
  f4: { size: 4 },
  f8: { size: 8 },
  i1: { size: 1 },
  u1: { size: 1 },
  b1: { size: 1 },
  i2: { size: 2 },
  u2: { size: 2 },
  i4: { size: 4 },
  u4: { size: 4 },
  i8: { size: 8 },
  u8: { size: 8 },
} as const;
type Kind = keyof typeof KINDS;

/** Whether bytes start with the .npy magic string (for sniffing a file of unknown extension). */
export function isNpy(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC.length && MAGIC.every((b, i) => bytes[i] === b);
}

/**
 * Reads a 1-D or 2-D .npy array (format versions 1.0, 2.0, 3.0) into a float32 matrix.
 *
 * - dtypes: float32/float64 and the integer types int8…int64, uint8…uint64 and bool, either byte
 *   order (`<`, `>`; `|` for one-byte types). Everything is converted to float32, which rounds
 *   float64 values and integers beyond 2^24 to the nearest float32 (the engine computes in
 *   float32 anyway).
 * - shape (m, n) gives an m×n matrix; shape (n,) a single row 1×n (numpy.atleast_2d's
 *   convention). Scalars and more than two dimensions are rejected.
 * - C (row-major) and Fortran (column-major) order are both read; the result is row-major.
 * Extra bytes after the data are ignored, as numpy.load does. Errors start with `${fileName}: `.
 */
export function readNpy(bytes: Uint8Array, fileName: string): Matrix {
  const { fail, view, dataStart, header } = openNpy(bytes, fileName);

  const shape = header.shape;
  if (shape.length === 0) fail('0-dimensional (scalar) arrays are not supported: a matrix needs shape (rows, cols)');
  if (shape.length > 2) fail(`the array has ${shape.length} dimensions, shape (${shape.join(', ')}); only 1-D or 2-D arrays are matrices (reshape it to 2-D first)`);
  const rows = shape.length === 1 ? 1 : shape[0]!;
  const cols = shape.length === 1 ? shape[0]! : shape[1]!;
  const count = rows * cols;

  const { kind, littleEndian } = parseDescr(header.descr, fail);
  const size = KINDS[kind].size;
  const needed = count * size;
  if (!Number.isSafeInteger(needed)) fail(`shape (${shape.join(', ')}) is too large`);
  const available = bytes.length - dataStart;
  if (available < needed) {
    fail(`truncated data: shape (${shape.join(', ')}) of ${header.descr} needs ${needed} bytes, the file has ${available} (${needed - available} bytes missing)`);
  }
  if (count > 0x7fffffff) fail(`shape (${shape.join(', ')}) has too many entries for one matrix`);

  const out = new Float32Array(count);
  const overflow = decodeElements(view, dataStart, kind, littleEndian, out);
  if (overflow >= 0) {
    const [row, col] = header.fortranOrder ? [overflow % rows, Math.floor(overflow / rows)] : [Math.floor(overflow / cols), overflow % cols];
    fail(`value at row ${row + 1}, column ${col + 1} (counting from 1) is beyond the float32 range (±3.4e38)`);
  }
  if (header.fortranOrder && rows > 1 && cols > 1) {
    // Column-major on disk: element (i, j) was stored at j·rows + i.
    const rowMajor = new Float32Array(count);
    for (let i = 0; i < rows; i++) {
      const offset = i * cols;
      for (let j = 0; j < cols; j++) rowMajor[offset + j] = out[j * rows + i]!;
    }
    return createMatrix(rows, cols, rowMajor);
  }
  return createMatrix(rows, cols, out);
}

/** A .npy array of any number of dimensions, values as float32 in the file's order. */
export interface NpyArray {
  readonly shape: readonly number[];
  /** True: column-major (index (i, j, k) at i + d0·(j + d1·k)); false: row-major (C order). */
  readonly fortranOrder: boolean;
  readonly data: Float32Array;
}

/**
 * Reads a .npy array of any number of dimensions (same dtypes, byte orders and versions as
 * readNpy), leaving the element order as stored: for arrays that are not matrices (cubes).
 */
export function readNpyArray(bytes: Uint8Array, fileName: string): NpyArray {
  const { fail, view, dataStart, header } = openNpy(bytes, fileName);
  const shape = header.shape;
  const count = shape.reduce((a, b) => a * b, 1);
  const { kind, littleEndian } = parseDescr(header.descr, fail);
  const needed = count * KINDS[kind].size;
  if (!Number.isSafeInteger(needed)) fail(`shape (${shape.join(', ')}) is too large`);
  const available = bytes.length - dataStart;
  if (available < needed) {
    fail(`truncated data: shape (${shape.join(', ')}) of ${header.descr} needs ${needed} bytes, the file has ${available} (${needed - available} bytes missing)`);
  }
  if (count > 0x7fffffff) fail(`shape (${shape.join(', ')}) has too many entries`);
  const data = new Float32Array(count);
  const overflow = decodeElements(view, dataStart, kind, littleEndian, data);
  if (overflow >= 0) fail(`value ${overflow + 1} (counting from 1, in file order) is beyond the float32 range (±3.4e38)`);
  return { shape, fortranOrder: header.fortranOrder, data };
}

/** Checks the magic and version and parses the header dict; errors start with `${fileName}: `. */
function openNpy(bytes: Uint8Array, fileName: string): { fail: (message: string) => never; view: DataView; dataStart: number; header: NpyHeader } {
  const fail = (message: string): never => {
    throw new Error(`${fileName}: ${message}`);
  };
  if (!isNpy(bytes)) fail('not a .npy file (it does not start with "\\x93NUMPY")');
  if (bytes.length < PREFIX_V1) fail(`truncated .npy header: ${bytes.length} bytes`);
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (minor !== 0 || major < 1 || major > 3) fail(`unsupported .npy format version ${major}.${minor} (1.0, 2.0 and 3.0 are read)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const prefix = major === 1 ? PREFIX_V1 : PREFIX_V2;
  if (bytes.length < prefix) fail(`truncated .npy header: ${bytes.length} bytes`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = prefix + headerLength;
  if (bytes.length < dataStart) fail(`truncated .npy header: it announces ${headerLength} bytes of header but the file ends ${dataStart - bytes.length} bytes short of that`);
  const headerBytes = bytes.subarray(prefix, dataStart);
  const headerText = major === 3 ? new TextDecoder('utf-8').decode(headerBytes) : latin1(headerBytes);
  return { fail, view, dataStart, header: parseHeader(headerText, fail) };
}

/**
 * Writes a matrix as a 2-D C-order .npy, format version 1.0, little-endian float32 ('<f4', the
 * exact values) or float64 ('<f8', the float32 values widened exactly). The header is padded with
 * spaces and ends in a newline so that the data starts on a 64-byte boundary, as the format asks.
 */
export function writeNpy(matrix: Matrix, dtype: '<f4' | '<f8' = '<f4'): Uint8Array {
  const headerText = `{'descr': '${dtype}', 'fortran_order': False, 'shape': (${matrix.rows}, ${matrix.cols}), }`;
  // Pad so that prefix + text + spaces + '\n' is a multiple of 64.
  const unpadded = PREFIX_V1 + headerText.length + 1;
  const headerLength = headerText.length + 1 + ((64 - (unpadded % 64)) % 64);
  if (headerLength > 0xffff) throw new RangeError('header too long for .npy version 1.0');
  const size = dtype === '<f4' ? 4 : 8;
  const count = matrix.rows * matrix.cols;
  const bytes = new Uint8Array(PREFIX_V1 + headerLength + count * size);
  bytes.set(MAGIC, 0);
  bytes[6] = 1;
  bytes[7] = 0;
  const view = new DataView(bytes.buffer);
  view.setUint16(8, headerLength, true);
  for (let i = 0; i < headerLength; i++) bytes[PREFIX_V1 + i] = i < headerText.length ? headerText.charCodeAt(i) : 0x20;
  bytes[PREFIX_V1 + headerLength - 1] = 0x0a;
  const start = PREFIX_V1 + headerLength;
  const data = matrix.data;
  if (size === 4) for (let i = 0; i < count; i++) view.setFloat32(start + 4 * i, data[i]!, true);
  else for (let i = 0; i < count; i++) view.setFloat64(start + 8 * i, data[i]!, true);
  return bytes;
}

interface NpyHeader {
  readonly descr: string;
  readonly fortranOrder: boolean;
  readonly shape: number[];
}

function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

/**
 * Parses the header dict. It is a Python literal written by numpy's own repr: string keys,
 * values that are strings, True/False, tuples of integers, or (for structured dtypes) lists,
 * which are recognised only to be rejected with a clear message.
 */
function parseHeader(text: string, fail: (message: string) => never): NpyHeader {
  let i = 0;
  const bad = (what: string): never => fail(`malformed .npy header (${what}): ${JSON.stringify(text.trim().slice(0, 120))}`);
  const skip = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const expect = (ch: string): void => {
    skip();
    if (text[i] !== ch) bad(`expected '${ch}' at offset ${i}`);
    i++;
  };
  const string = (): string => {
    skip();
    const quote = text[i];
    if (quote !== "'" && quote !== '"') bad(`expected a string at offset ${i}`);
    const end = text.indexOf(quote!, i + 1);
    if (end < 0) bad('unterminated string');
    const value = text.slice(i + 1, end);
    i = end + 1;
    return value;
  };
  type Value = string | boolean | number[] | { list: true };
  const value = (): Value => {
    skip();
    const ch = text[i];
    if (ch === "'" || ch === '"') return string();
    if (text.startsWith('True', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('False', i)) {
      i += 5;
      return false;
    }
    if (ch === '(') {
      i++;
      const items: number[] = [];
      for (;;) {
        skip();
        if (text[i] === ')') {
          i++;
          return items;
        }
        // numpy ≤ 1.x on Windows wrote Python 2 longs such as "3L".
        const match = /^(\d+)L?/.exec(text.slice(i));
        if (!match) bad(`expected a dimension at offset ${i}`);
        items.push(Number(match![1]));
        i += match![0].length;
        skip();
        if (text[i] === ',') i++;
        else if (text[i] !== ')') bad(`expected ',' or ')' at offset ${i}`);
      }
    }
    if (ch === '[') {
      // A structured dtype's field list: skip to the matching bracket.
      let depth = 0;
      for (; i < text.length; i++) {
        if (text[i] === '[') depth++;
        else if (text[i] === ']' && --depth === 0) {
          i++;
          return { list: true };
        }
      }
      return bad('unterminated list');
    }
    return bad(`unexpected value at offset ${i}`);
  };

  const entries = new Map<string, Value>();
  expect('{');
  for (;;) {
    skip();
    if (text[i] === '}') break;
    const key = string();
    expect(':');
    entries.set(key, value());
    skip();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') bad(`expected ',' or '}' at offset ${i}`);
  }
  const descr = entries.get('descr');
  const fortranOrder = entries.get('fortran_order');
  const shape = entries.get('shape');
  if (descr !== undefined && typeof descr === 'object' && !Array.isArray(descr)) fail('structured arrays (record dtypes with named fields) are not supported: save a plain numeric 2-D array');
  if (typeof descr !== 'string') return bad("no 'descr' string");
  if (typeof fortranOrder !== 'boolean') return bad("no 'fortran_order' True/False");
  if (!Array.isArray(shape)) return bad("no 'shape' tuple");
  return { descr, fortranOrder, shape };
}

/** Splits a dtype string such as '<f4' into its element kind and byte order, or fails clearly. */
function parseDescr(descr: string, fail: (message: string) => never): { kind: Kind; littleEndian: boolean } {
  const supported = 'float32/float64 and (u)int8…64 or bool';
  if (/^[|<>=]?O/.test(descr)) fail(`object arrays (dtype '${descr}') are not supported: they hold pickled Python objects, not numbers`);
  const match = /^([|<>=])?([a-zA-Z])(\d+)$/.exec(descr);
  if (!match) fail(`unsupported dtype '${descr}' (${supported} are read)`);
  const [, order = '|', letter, digits] = match!;
  const kind = `${letter}${digits}`;
  if (!(kind in KINDS)) {
    const what = letter === 'c' ? 'complex numbers' : letter === 'U' || letter === 'S' ? 'strings' : letter === 'M' || letter === 'm' ? 'dates/times' : `dtype '${descr}'`;
    fail(`unsupported dtype '${descr}': ${what} cannot be factorized (${supported} are read)`);
  }
  const size = KINDS[kind as Kind].size;
  if (size > 1 && order === '|') fail(`dtype '${descr}' has no byte order`);
  // '=' (native order) never appears in files numpy writes; treat it as little-endian like every
  // platform numpy runs on today.
  return { kind: kind as Kind, littleEndian: order !== '>' };
}

/**
 * Decodes n elements into out (float32). Returns the index of the first finite float64 that
 * float32 cannot hold (it would silently become ±Infinity), or −1.
 */
function decodeElements(view: DataView, start: number, kind: Kind, le: boolean, out: Float32Array): number {
  const n = out.length;
  const at = view.byteOffset + start;
  if (kind === 'f4' && le === HOST_LITTLE_ENDIAN && at % 4 === 0) {
    // Host order and aligned (numpy pads the header to 64 bytes): one bulk copy, several times
    // faster than DataView reads on a cube of hundreds of megabytes.
    out.set(new Float32Array(view.buffer, at, n));
    return -1;
  }
  switch (kind) {
    case 'f4':
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(start + 4 * i, le);
      return -1;
    case 'f8':
      for (let i = 0; i < n; i++) {
        const x = view.getFloat64(start + 8 * i, le);
        out[i] = x;
        if (out[i] === Infinity || out[i] === -Infinity) {
          if (Number.isFinite(x)) return i;
        }
      }
      return -1;
    case 'i1':
      for (let i = 0; i < n; i++) out[i] = view.getInt8(start + i);
      return -1;
    case 'u1':
    case 'b1':
      for (let i = 0; i < n; i++) out[i] = view.getUint8(start + i);
      return -1;
    case 'i2':
      for (let i = 0; i < n; i++) out[i] = view.getInt16(start + 2 * i, le);
      return -1;
    case 'u2':
      for (let i = 0; i < n; i++) out[i] = view.getUint16(start + 2 * i, le);
      return -1;
    case 'i4':
      for (let i = 0; i < n; i++) out[i] = view.getInt32(start + 4 * i, le);
      return -1;
    case 'u4':
      for (let i = 0; i < n; i++) out[i] = view.getUint32(start + 4 * i, le);
      return -1;
    case 'i8':
      // BigInt → Number rounds to the nearest float64, then the store to the nearest float32;
      // double rounding can differ from direct rounding by one float32 ulp only beyond 2^53.
      for (let i = 0; i < n; i++) out[i] = Number(view.getBigInt64(start + 8 * i, le));
      return -1;
    case 'u8':
      for (let i = 0; i < n; i++) out[i] = Number(view.getBigUint64(start + 8 * i, le));
      return -1;
  }
}
