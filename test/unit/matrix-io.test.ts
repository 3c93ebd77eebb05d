import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatCsvMatrix, formatFloat32, parseCsvMatrix } from '../../app/io/csv-matrix.js';
import { isNpy, readNpy, writeNpy } from '../../app/io/npy.js';
import { createMatrix, matrixFromRows, type Matrix } from '../../app/matrix.js';
import { createRandom } from '../../app/random.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'npy');

interface Manifest {
  good: { file: string; dtype: string; fortran: boolean; version: string; shape: number[]; values: number[] }[];
  bad: { file: string; error: string }[];
}
const manifest = JSON.parse(readFileSync(join(fixtures, 'manifest.json'), 'utf8')) as Manifest;

function rows(m: Matrix): number[][] {
  return Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
}

/** Expects fn to throw an Error starting with `${name}: ` and matching every pattern. */
function throwsNamed(fn: () => unknown, name: string, ...patterns: RegExp[]): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof Error);
    assert.ok(error.message.startsWith(`${name}: `), `message does not start with the file name: ${error.message}`);
    assert.ok(!error.message.includes('\n'), `message is not one line: ${error.message}`);
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  });
}

describe('parseCsvMatrix', () => {
  it('detects comma, tab, semicolon and whitespace delimiters', () => {
    const expected = [
      [1, 2.5, 3],
      [4, 0.125, 6e-3],
    ];
    const cases: [string, string][] = [
      [',', '1,2.5,3\n4,0.125,6e-3\n'],
      ['\t', '1\t2.5\t3\n4\t0.125\t6e-3\n'],
      [';', '1;2.5;3\n4;0.125;6e-3\n'],
      [' ', '  1   2.5 3\n4 \t0.125  6e-3  \n'],
      [',', '1, 2.5 ,3\n 4,0.125, 6e-3'],
    ];
    for (const [delimiter, text] of cases) {
      const parsed = parseCsvMatrix(text, 'm.csv');
      assert.equal(parsed.delimiter, delimiter, JSON.stringify(text));
      assert.equal(parsed.header, null);
      assert.deepEqual(rows(parsed.matrix), expected.map((r) => r.map(Math.fround)));
    }
  });

  it('reads a header row, CRLF, blank and comment lines, quotes and a BOM', () => {
    const text = '\uFEFF# made by hand\r\n"wave, nm";b;"say ""c"""\r\n\r\n1;2;3\r\n  \r\n4;5;6\r\n';
    const parsed = parseCsvMatrix(text, 'h.csv');
    assert.equal(parsed.delimiter, ';');
    assert.deepEqual(parsed.header, ['wave, nm', 'b', 'say "c"']);
    assert.deepEqual(rows(parsed.matrix), [
      [1, 2, 3],
      [4, 5, 6],
    ]);
    // Old Mac line ends (CR only) and a final line without newline.
    assert.deepEqual(rows(parsed.matrix), rows(parseCsvMatrix('a,b,c\r1,2,3\r4,5,6', 'cr.csv').matrix));
    // A single column is whitespace-"delimited".
    const single = parseCsvMatrix('x\n1\n2\n', 'col.csv');
    assert.deepEqual([single.matrix.rows, single.matrix.cols, single.header], [2, 1, ['x']]);
  });

  it('lets NaN and infinities through (validation names them later)', () => {
    const { matrix } = parseCsvMatrix('nan,1\n-inf,Infinity\n', 'n.csv');
    assert.ok(Number.isNaN(matrix.data[0]));
    assert.equal(matrix.data[2], -Infinity);
    assert.equal(matrix.data[3], Infinity);
  });

  it('reports errors with file, line and column', () => {
    throwsNamed(() => parseCsvMatrix('', 'e.csv'), 'e.csv', /empty/);
    throwsNamed(() => parseCsvMatrix('\n  \r\n# only a comment\n', 'e.csv'), 'e.csv', /empty/);
    throwsNamed(() => parseCsvMatrix('a,b\n', 'h.csv'), 'h.csv', /header \(line 1\) but no rows/);
    throwsNamed(() => parseCsvMatrix('1,2,3\n4,5,6\n\n7,8\n', 'r.csv'), 'r.csv', /line 4, column 3: row has 2 values, expected 3 as on line 1/);
    throwsNamed(() => parseCsvMatrix('a,b\n1,2\n3,4,5\n', 'r.csv'), 'r.csv', /line 3, column 3: row has 3 values, expected 2 as on the header \(line 1\)/);
    throwsNamed(() => parseCsvMatrix('1,2\n3,x7\n', 'x.csv'), 'x.csv', /line 2, column 2: "x7" is not a number/);
    throwsNamed(() => parseCsvMatrix('1,2\n3,\n', 'x.csv'), 'x.csv', /line 2, column 2: empty cell/);
    throwsNamed(() => parseCsvMatrix('1,2\r\n3,0x10\r\n', 'x.csv'), 'x.csv', /line 2, column 2: "0x10" is not a number/);
    throwsNamed(() => parseCsvMatrix('1;2,5\n', 'eu.csv'), 'eu.csv', /line 1, column 2: "2,5" is not a number \(decimal commas/);
    throwsNamed(() => parseCsvMatrix('label,1,2\n3,4,5\n', 'mix.csv'), 'mix.csv', /line 1, column 1: "label" is not a number \(a header row must hold only names/);
    throwsNamed(() => parseCsvMatrix('1,2\n3,1e39\n', 'big.csv'), 'big.csv', /line 2, column 2: 1e39 is beyond the float32 range/);
    throwsNamed(() => parseCsvMatrix('"a,b\n1,2\n', 'q.csv'), 'q.csv', /line 1, column 1: unterminated quoted cell/);
  });
});

describe('formatCsvMatrix', () => {
  it('writes the shortest text that reads back to the same float32', () => {
    assert.equal(formatFloat32(Math.fround(0.1)), '0.1');
    assert.equal(formatFloat32(Math.fround(1 / 3)), '0.33333334');
    assert.equal(formatFloat32(16777216), '16777216');
    assert.equal(formatFloat32(Math.fround(1e-7)), '1e-7');
    assert.equal(formatFloat32(Math.fround(3.4028234663852886e38)), '3.4028235e+38');
    const random = createRandom(7);
    const m = createMatrix(40, 25);
    for (let i = 0; i < m.data.length; i++) m.data[i] = random() ** 8 * 10 ** Math.floor(random() * 40 - 20);
    m.data[3] = 0;
    m.data[4] = 1.401298464324817e-45; // smallest subnormal float32
    for (const delimiter of [',', '\t', ';', ' '] as const) {
      const text = formatCsvMatrix(m, { delimiter });
      const back = parseCsvMatrix(text, 'rt.csv');
      assert.equal(back.delimiter, delimiter);
      assert.deepEqual(back.matrix, m);
    }
    for (let i = 0; i < m.data.length; i++) {
      const s = formatFloat32(m.data[i]!);
      // Shortest: one digit fewer no longer reads back (unless one digit already does).
      const digits = s.replace(/e.*$/, '').replace(/[-.]/g, '').replace(/^0+/, '').replace(/0+$/, '').length;
      if (digits > 1) assert.notEqual(Math.fround(Number(m.data[i]!.toPrecision(digits - 1))), m.data[i], s);
    }
  });

  it('writes and quotes a header, and rejects a header of the wrong width', () => {
    const m = matrixFromRows([
      [1, 2],
      [3, 4],
    ]);
    const text = formatCsvMatrix(m, { header: ['a b', 'say "hi"'] });
    assert.equal(text, '"a b","say ""hi"""\n1,2\n3,4\n');
    const back = parseCsvMatrix(text, 'h.csv');
    assert.deepEqual(back.header, ['a b', 'say "hi"']);
    assert.deepEqual(rows(back.matrix), rows(m));
    const spaced = parseCsvMatrix(formatCsvMatrix(m, { header: ['#x', 'y'], delimiter: ' ' }), 's.txt');
    assert.deepEqual(spaced.header, ['#x', 'y']);
    assert.throws(() => formatCsvMatrix(m, { header: ['only one'] }), /1 names for 2 columns/);
  });
});

describe('readNpy', () => {
  it('decodes every numpy-written dtype, order and version to the values numpy gives', () => {
    const seen = { dtypes: new Set<string>(), versions: new Set<string>(), fortran: new Set<boolean>() };
    for (const entry of manifest.good) {
      const bytes = new Uint8Array(readFileSync(join(fixtures, entry.file)));
      assert.ok(isNpy(bytes));
      const m = readNpy(bytes, entry.file);
      const [rowsExpected, colsExpected] = entry.shape.length === 1 ? [1, entry.shape[0]!] : entry.shape;
      assert.deepEqual([m.rows, m.cols], [rowsExpected, colsExpected], entry.file);
      assert.deepEqual(Array.from(m.data), entry.values, entry.file);
      seen.dtypes.add(entry.dtype);
      seen.versions.add(entry.version);
      seen.fortran.add(entry.fortran);
    }
    assert.equal(seen.dtypes.size, 19, [...seen.dtypes].join(' '));
    assert.deepEqual([...seen.versions].sort(), ['1.0', '2.0', '3.0']);
    assert.equal(seen.fortran.size, 2);
  });

  it('rejects what is not a numeric 1-D/2-D array, with the reason', () => {
    for (const entry of manifest.bad) {
      const bytes = new Uint8Array(readFileSync(join(fixtures, entry.file)));
      throwsNamed(() => readNpy(bytes, entry.file), entry.file, new RegExp(entry.error));
    }
  });

  it('reports bad magic, bad versions and truncation (with the bytes missing)', () => {
    const good = new Uint8Array(readFileSync(join(fixtures, 'le-f8.npy')));
    throwsNamed(() => readNpy(new TextEncoder().encode('1,2,3\n'), 'v.npy'), 'v.npy', /not a \.npy file/);
    throwsNamed(() => readNpy(good.subarray(0, good.length - 5), 'short.npy'), 'short.npy', /truncated data: .* needs 96 bytes, the file has 91 \(5 bytes missing\)/);
    throwsNamed(() => readNpy(good.subarray(0, 40), 'head.npy'), 'head.npy', /truncated \.npy header/);
    throwsNamed(() => readNpy(good.subarray(0, 9), 'tiny.npy'), 'tiny.npy', /truncated \.npy header: 9 bytes/);
    const v9 = good.slice();
    v9[6] = 9;
    throwsNamed(() => readNpy(v9, 'v9.npy'), 'v9.npy', /unsupported \.npy format version 9\.0/);
    const mangled = good.slice();
    mangled.set(new TextEncoder().encode('<<'), 10);
    throwsNamed(() => readNpy(mangled, 'm.npy'), 'm.npy', /malformed \.npy header/);
  });
});

describe('writeNpy', () => {
  it('round-trips float32 and float64 with a 64-byte aligned version 1.0 header', () => {
    const random = createRandom(3);
    for (const [r, c] of [
      [1, 1],
      [5, 3],
      [17, 40],
      [0, 4],
    ] as const) {
      const m = createMatrix(r, c);
      for (let i = 0; i < m.data.length; i++) m.data[i] = random() * 1e3;
      for (const dtype of ['<f4', '<f8'] as const) {
        const bytes = writeNpy(m, dtype);
        assert.deepEqual(Array.from(bytes.subarray(0, 8)), [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
        const headerLength = bytes[8]! | (bytes[9]! << 8);
        assert.equal((10 + headerLength) % 64, 0);
        assert.equal(bytes[10 + headerLength - 1], 0x0a);
        assert.equal(bytes.length, 10 + headerLength + m.data.length * (dtype === '<f4' ? 4 : 8));
        assert.match(new TextDecoder().decode(bytes.subarray(10, 10 + headerLength)), new RegExp(`^\\{'descr': '${dtype}', 'fortran_order': False, 'shape': \\(${r}, ${c}\\), \\} *\\n$`));
        assert.deepEqual(readNpy(bytes, 'rt.npy'), m);
      }
    }
  });

  it('writes what numpy itself writes for a float32 C-order array', () => {
    // le-f4.npy was written by numpy.save; writing its values again must give the same bytes.
    const numpyBytes = new Uint8Array(readFileSync(join(fixtures, 'le-f4.npy')));
    assert.deepEqual(writeNpy(readNpy(numpyBytes, 'le-f4.npy')), numpyBytes);
  });
});
