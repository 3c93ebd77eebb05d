import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { CubeSummary } from '../../app/host-api.js';
import { readInputFile } from '../../main/host/read-input-file.js';
import { createSessionHost } from '../../main/host/session-host.js';
import type { WorkerMessage } from '../../native-workers/common/job-protocol.js';
import { runWorkerJob } from '../../native-workers/common/run-worker-job.js';

// Opening cubes from disk: an ENVI pair from either file, MAT and NPY cubes (session host and the
// compute-worker job body). Fixtures from test/make-hsi-fixtures.py.
const here = dirname(fileURLToPath(import.meta.url));
const hsi = join(here, '..', 'fixtures', 'hsi');
const envi = join(hsi, 'envi');
interface Expected {
  envi: { header: string; data: string; dataType: number; interleave: string; byteOrder: number }[];
}
const expected = JSON.parse(readFileSync(join(hsi, 'expected.json'), 'utf8')) as Expected;
const scratch = mkdtempSync(join(tmpdir(), 'envi-open-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('opening ENVI pairs from disk', () => {
  const pairs = [
    expected.envi.find((f) => f.header === `${f.data}.hdr`)!, // X.img.hdr style
    expected.envi.find((f) => f.header !== `${f.data}.hdr` && /\.[a-z]+$/.test(f.data))!, // X.hdr + X.ext
    expected.envi.find((f) => !/\.[a-z]+$/.test(f.data))!, // X.hdr + X (no extension)
  ];

  for (const pair of pairs) {
    it(`${pair.header} ↔ ${pair.data}: either file opens the pair, named after the data file`, async () => {
      const host = createSessionHost({ exportDir: scratch });
      try {
        for (const path of [join(envi, pair.header), join(envi, pair.data)]) {
          const opened = await host.openPath(path);
          assert.equal(opened.name, pair.data);
          const summary = opened.summary as CubeSummary;
          assert.deepEqual([summary.kind, summary.rows, summary.cols, summary.bands, summary.format], ['cube', 4, 5, 3, 'envi']);
        }
      } finally {
        await host.dispose();
      }
    });
  }

  it('MAT and NPY cubes open too; wavelengths and georeferencing of meta.hdr reach the summary', async () => {
    const host = createSessionHost({ exportDir: scratch });
    try {
      const mat = (await host.openPath(join(hsi, 'mat', 'bench-z.mat'))).summary as CubeSummary;
      assert.deepEqual([mat.rows, mat.cols, mat.bands, mat.format], [4, 5, 3, 'mat']);
      const npy = (await host.openPath(join(hsi, 'npy', 'cube.bsq.npy'))).summary as CubeSummary;
      assert.deepEqual([npy.rows, npy.cols, npy.bands, npy.format], [4, 5, 3, 'npy']);
      const meta = (await host.openPath(join(envi, 'meta.img'))).summary as CubeSummary;
      assert.deepEqual(meta.wavelengths, [450.5, 550.25, 650.125]);
      assert.equal(meta.georeferenced, true);
    } finally {
      await host.dispose();
    }
  });

  it('a lone header or lone data file fails naming the file and saying what is missing', async () => {
    const pair = pairs[1]!;
    const lone = mkdtempSync(join(scratch, 'lone-'));
    copyFileSync(join(envi, pair.header), join(lone, pair.header));
    copyFileSync(join(envi, pair.data), join(lone, `${pair.data}.data`));
    const host = createSessionHost({ exportDir: scratch });
    try {
      const headerPath = join(lone, pair.header);
      await assert.rejects(host.openPath(headerPath), (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.ok(error.message.startsWith(`${headerPath}: ENVI header without its data file: none of `), error.message);
        assert.match(error.message, /\.img, .*\.dat, .*\.raw/);
        return true;
      });
      await assert.rejects(host.openPath(join(lone, `${pair.data}.data`)), new RegExp(`^Error: ${pair.data}\\.data: not a WAV or GeoTIFF file, nor an ENVI`));
      await assert.rejects(host.openPath(join(lone, 'missing.img')), /missing\.img: no such file/);
      // A header dropped without its data (the browser's openFile) explains itself.
      await assert.rejects(host.openFile(pair.header, new Uint8Array(readFileSync(headerPath)).buffer), /ENVI header alone, which holds no pixels/);
      // A broken header is reported by name when the pair is opened.
      const broken = mkdtempSync(join(scratch, 'broken-'));
      const text = readFileSync(headerPath, 'utf8').replace(/bands\s*=\s*3\n/, '');
      writeFileSync(join(broken, 'b.hdr'), text);
      copyFileSync(join(envi, pair.data), join(broken, 'b.img'));
      await assert.rejects(host.openPath(join(broken, 'b.img')), /^Error: b\.hdr: the ENVI header lacks 'bands'/);
    } finally {
      await host.dispose();
    }
  });
});

/** The worker's job body run in this process: a 1-endmember, 20-iteration unmix of `path`. */
async function unmixInProcess(path: string): Promise<WorkerMessage[]> {
  const input = await readInputFile(path, 1 << 30);
  const messages: WorkerMessage[] = [];
  await runWorkerJob(
    { type: 'run', job: { kind: 'unmix', fileName: input.name, bytes: input.bytes, params: { endmembers: 1, loss: 'frobenius', maxIter: 20, seed: 0 } }, cancelFlag: null },
    (message) => messages.push(message),
    async () => null,
  );
  return messages;
}

describe('the compute worker reads every cube format', () => {
  // endmembers: 1 because meta.hdr's bbl drops one of its 3 bands, and P must be below the bands fitted.
  it('an unmix job on an ENVI pair (as the host sends it), a MAT and an NPY cube', async () => {
    for (const path of [join(envi, 'meta.img'), join(hsi, 'mat', 'bench.mat'), join(hsi, 'npy', 'cube.npy')]) {
      const messages = await unmixInProcess(path);
      const done = messages.find((m) => m.type === 'done');
      assert.ok(done && done.type === 'done' && done.output.kind === 'unmix', `${path}: ${JSON.stringify(messages.find((m) => m.type === 'error'))}`);
      assert.deepEqual([done.output.cube.rows, done.output.cube.cols, done.output.cube.bands], [4, 5, 3]);
      assert.deepEqual([done.output.output.endmembers.rows, done.output.output.abundances.cols], [3, 20]);
    }
  });

  it('through the session host and a worker thread (needs the bundled worker: npm run build)', async (t) => {
    if (!existsSync(join(here, '..', '..', 'dist', 'native-workers', 'node-worker.js'))) {
      t.skip('dist/native-workers/node-worker.js not built');
      return;
    }
    const host = createSessionHost({ exportDir: scratch });
    try {
      const opened = await host.openPath(join(envi, 'meta.hdr'));
      const { jobId } = await host.startJob({ kind: 'unmix', fileId: opened.fileId, endmembers: 1, maxIter: 20 });
      const event = await host.waitForJob(jobId);
      assert.equal(event.type, 'done', JSON.stringify(event));
      const result = await host.getResult(jobId);
      assert.ok(result.kind === 'unmix');
      assert.deepEqual(result.wavelengths, [450.5, 550.25, 650.125]);
      // The bundled worker decodes the host's one-buffer ENVI form as the sources do: the same
      // spectrum as the in-process job body (bad band 2 NaN; other kernels, so float tolerance).
      const done = (await unmixInProcess(join(envi, 'meta.img'))).find((m) => m.type === 'done');
      assert.ok(done && done.type === 'done' && done.output.kind === 'unmix');
      const want = Array.from(done.output.output.endmembers.data);
      const got = result.endmembers[0]!;
      assert.equal(got.length, want.length);
      assert.ok(Number.isNaN(got[1]!) && Number.isNaN(want[1]!), 'bad band 2 left out');
      for (const b of [0, 2]) assert.ok(Math.abs(got[b]! - want[b]!) < 1e-4, `band ${b + 1}: ${got[b]} vs ${want[b]}`);
      const map = await host.getAbundanceMap(jobId, 0);
      const wantMap = done.output.output.abundances.data;
      for (let j = 0; j < 20; j++) assert.ok(Math.abs(map[j]! - wantMap[j]!) <= 1e-4 * Math.abs(wantMap[j]!) + 1e-6, `pixel ${j}: ${map[j]} vs ${wantMap[j]}`);
    } finally {
      await host.dispose();
    }
  });
});
