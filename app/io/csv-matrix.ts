/**
 * Delimited text matrices (CSV, TSV, semicolon- or whitespace-separated), numbers only.
 *
 * Reading follows RFC 4180 (Shafranovich 2005, "Common Format and MIME Type for Comma-Separated
 * Values (CSV) Files") where it applies to numeric tables: optional double quotes around a cell,
 * `""` for a quote inside one, CRLF or LF line ends. Quoted cells may not span lines (a numeric
 * matrix has no use for that). Beyond RFC 4180, as numpy.loadtxt and pandas.read_csv do:
 *  - the delimiter is detected (tab, semicolon, comma, else runs of spaces/tabs);
 *  - a first row without a single numeric cell is a header (column names); a first row mixing
 *    names and numbers is rejected rather than guessed at, so a typo in the first data row can
 *    never silently drop that row;
 *  - blank lines and lines starting with `#` (numpy.savetxt's header/comment prefix) are skipped,
 *    a UTF-8 byte-order mark is ignored;
 *  - `nan`, `inf`, `-inf`, `Infinity` (any case) parse to NaN/±Infinity so that the caller's
 *    validation can name the offending cell; finite text beyond float32's range is an error here,
 *    since float32 would silently turn it into Infinity.
 * Every error message starts with `${fileName}: ` and gives the line and column (both from 1).
 */
import { createMatrix, type Matrix } from '../matrix.js';

/** Cell separators this module reads and writes; ' ' means "runs of spaces or tabs". */
export type CsvDelimiter = ',' | '\t' | ';' | ' ';

/** A parsed text matrix. */
export interface ParsedCsvMatrix {
  readonly matrix: Matrix;
  /** Column names when the first row was a header, else null. */
  readonly header: string[] | null;
  /** The delimiter detected (and used to split every row). */
  readonly delimiter: CsvDelimiter;
}

/** Options of formatCsvMatrix. */
export interface FormatCsvOptions {
  /** Column names written as the first row; must have one per column. */
  readonly header?: readonly string[];
  /** Default ','. */
  readonly delimiter?: CsvDelimiter;
}

/** A decimal number as numpy/pandas/JavaScript write it (no hex, no digit separators). */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE = /^([+-]?)(?:nan|inf|infinity)$/i;

/**
 * Parses a numeric text matrix; see the module comment for the accepted dialect. The header, when
 * present, must have one name per column.
 */
export function parseCsvMatrix(text: string, fileName: string): ParsedCsvMatrix {
  const fail = (message: string): never => {
    throw new Error(`${fileName}: ${message}`);
  };
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r\n|\n|\r/);
  let first = 0;
  while (first < lines.length && isSkipped(lines[first]!)) first++;
  if (first === lines.length) fail('the file is empty (no rows of numbers)');

  const delimiter = detectDelimiter(lines[first]!);
  const firstCells = splitCells(lines[first]!, delimiter, (column) => fail(`line ${first + 1}, column ${column}: unterminated quoted cell`));
  let header: string[] | null = null;
  let start = first;
  if (!firstCells.some((cell) => parseCell(cell) !== null)) {
    header = firstCells;
    start = first + 1;
  }
  const cols = firstCells.length;

  // Float32 storage grown by doubling: no per-cell number objects for large files.
  let data = new Float32Array(Math.max(16, cols * 64));
  let filled = 0;
  let rows = 0;
  for (let index = start; index < lines.length; index++) {
    const line = lines[index]!;
    if (isSkipped(line)) continue;
    const lineNo = index + 1;
    const cells = splitCells(line, delimiter, (column) => fail(`line ${lineNo}, column ${column}: unterminated quoted cell`));
    if (cells.length !== cols) {
      const what = header ? `the header (line ${first + 1})` : `line ${first + 1}`;
      fail(`line ${lineNo}, column ${Math.min(cells.length, cols) + 1}: row has ${cells.length} value${cells.length === 1 ? '' : 's'}, expected ${cols} as on ${what}`);
    }
    if (filled + cols > data.length) {
      const grown = new Float32Array(Math.max(data.length * 2, filled + cols));
      grown.set(data.subarray(0, filled));
      data = grown;
    }
    for (let c = 0; c < cols; c++) {
      const cell = cells[c]!;
      const value = parseCell(cell);
      if (value === null) fail(`line ${lineNo}, column ${c + 1}: ${describeBadCell(cell, delimiter, index === first)}`);
      // Finite text that float32 rounds to ±Infinity (|x| ≥ 2^128 − 2^103, or 1e999 already in float64).
      if (Math.abs(Math.fround(value!)) === Infinity && NUMBER.test(cell)) fail(`line ${lineNo}, column ${c + 1}: ${cell} is beyond the float32 range (±3.4e38)`);
      data[filled++] = value!;
    }
    rows++;
  }
  if (rows === 0) fail(`the file has a header (line ${first + 1}) but no rows of numbers`);
  return { matrix: createMatrix(rows, cols, data.slice(0, filled)), header, delimiter };
}

/**
 * Writes a matrix as delimited text, one row per line, LF line ends, a final newline.
 *
 * Each value is written as the shortest decimal that reads back to the same float32: the smallest
 * precision p in 1…9 with fround(Number(x.toPrecision(p))) === x, trailing zeros dropped (9
 * significant digits always suffice for float32: IEEE 754-2008 §5.12.2). Plain `String(x)` would
 * print the float64 expansion of the float32 (0.1f → "0.10000000149011612"); this prints "0.1".
 * Exponent notation follows toPrecision (used when the exponent is < −6 or ≥ p). Non-finite values
 * are written `nan`, `inf`, `-inf` as numpy.savetxt does. Header names containing the delimiter,
 * a quote or whitespace are quoted (RFC 4180).
 */
export function formatCsvMatrix(matrix: Matrix, options: FormatCsvOptions = {}): string {
  const delimiter = options.delimiter ?? ',';
  const { rows, cols, data } = matrix;
  const parts: string[] = [];
  if (options.header) {
    if (options.header.length !== cols) throw new RangeError(`header has ${options.header.length} names for ${cols} columns`);
    parts.push(`${options.header.map((name) => quoteIfNeeded(name, delimiter)).join(delimiter)}\n`);
  }
  const row: string[] = new Array<string>(cols);
  for (let i = 0; i < rows; i++) {
    const offset = i * cols;
    for (let j = 0; j < cols; j++) row[j] = formatFloat32(data[offset + j]!);
    parts.push(`${row.join(delimiter)}\n`);
  }
  return parts.join('');
}

/** The shortest decimal text that parses back to the float32 value x (see formatCsvMatrix). */
export function formatFloat32(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return '0';
  const target = Math.fround(x);
  // Round-tripping is monotone in the precision (more digits are never farther from x), so going
  // down from 9 the first precision that fails ends the search. Computed factors mostly need 8 or
  // 9 digits: this order costs two or three toPrecision calls for them.
  let best = target.toPrecision(9);
  for (let p = 8; p >= 1; p--) {
    const candidate = target.toPrecision(p);
    if (Math.fround(Number(candidate)) !== target) break;
    best = candidate;
  }
  return trimZeros(best);
}

/** Drops toPrecision's padding: "1.2500" → "1.25", "3.000e+5" → "3e+5", "100.0" → "100". */
function trimZeros(text: string): string {
  const e = text.indexOf('e');
  const mantissa = e < 0 ? text : text.slice(0, e);
  if (!mantissa.includes('.')) return text;
  let end = mantissa.length;
  while (mantissa.charCodeAt(end - 1) === 48 /* 0 */) end--;
  if (mantissa.charCodeAt(end - 1) === 46 /* . */) end--;
  return mantissa.slice(0, end) + (e < 0 ? '' : text.slice(e));
}

function isSkipped(line: string): boolean {
  const trimmed = line.trim();
  return trimmed === '' || trimmed.startsWith('#');
}

/** The number in a cell, or null when the cell is not a number. */
function parseCell(cell: string): number | null {
  if (NUMBER.test(cell)) return Number(cell);
  const special = NON_FINITE.exec(cell);
  if (!special) return null;
  if (/nan/i.test(cell)) return NaN;
  return special[1] === '-' ? -Infinity : Infinity;
}

function describeBadCell(cell: string, delimiter: CsvDelimiter, firstRow: boolean): string {
  if (cell === '') return 'empty cell (every cell must hold a number)';
  // JSON quoting escapes control characters: the message stays one printable line.
  const shown = cell.length > 40 ? `${JSON.stringify(cell.slice(0, 40))}…` : JSON.stringify(cell);
  let hint = '';
  if (delimiter !== ',' && /^[+-]?\d+,\d+$/.test(cell)) hint = " (decimal commas are not supported: write '.' for the decimal point)";
  else if (firstRow) hint = ' (a header row must hold only names; this one mixes names and numbers)';
  return `${shown} is not a number${hint}`;
}

/**
 * The delimiter of a file from its first row: tab, then semicolon, then comma, whichever occurs
 * outside quotes first in that order of preference (a semicolon file usually has decimal commas,
 * and a tab file may have commas or spaces in its names), else whitespace runs.
 */
function detectDelimiter(line: string): CsvDelimiter {
  let tab = false;
  let semicolon = false;
  let comma = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted) {
      if (ch === '\t') tab = true;
      else if (ch === ';') semicolon = true;
      else if (ch === ',') comma = true;
    }
  }
  return tab ? '\t' : semicolon ? ';' : comma ? ',' : ' ';
}

/**
 * Splits a line into trimmed cells, unquoting quoted ones. `onUnterminated` receives the column
 * (from 1) of a quoted cell that does not close on its line and must throw.
 */
function splitCells(line: string, delimiter: CsvDelimiter, onUnterminated: (column: number) => never): string[] {
  const whitespace = delimiter === ' ';
  const body = whitespace ? line.trim() : line;
  if (!body.includes('"')) {
    return whitespace ? body.split(/[ \t]+/) : body.split(delimiter).map((cell) => cell.trim());
  }
  const cells: string[] = [];
  let i = 0;
  const isDelimiter = (ch: string | undefined): boolean => (whitespace ? ch === ' ' || ch === '\t' : ch === delimiter);
  for (;;) {
    while (i < body.length && (body[i] === ' ' || (body[i] === '\t' && delimiter !== '\t'))) i++;
    let cell = '';
    if (body[i] === '"') {
      i++;
      for (;;) {
        if (i >= body.length) onUnterminated(cells.length + 1);
        if (body[i] === '"') {
          if (body[i + 1] === '"') {
            cell += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        cell += body[i++];
      }
      // Text after the closing quote up to the delimiter is kept, as spreadsheets do.
      let rest = '';
      while (i < body.length && !isDelimiter(body[i])) rest += body[i++];
      cell += rest.trim();
    } else {
      while (i < body.length && !isDelimiter(body[i])) cell += body[i++];
      cell = cell.trim();
    }
    cells.push(cell);
    if (i >= body.length) return cells;
    i++; // the delimiter
    if (whitespace) {
      while (i < body.length && isDelimiter(body[i])) i++;
    }
  }
}

function quoteIfNeeded(name: string, delimiter: CsvDelimiter): string {
  // A leading '#' would turn the header line into a comment.
  if (name === '' || /["\s,;]/.test(name) || name.startsWith('#')) return `"${name.replaceAll('"', '""')}"`;
  return name;
}
