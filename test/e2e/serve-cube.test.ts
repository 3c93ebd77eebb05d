import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fromArrayBuffer, writeArrayBuffer } from 'geotiff';
import { ARTIFACTS_DIR, openApp, startServeSession, withFailureReport, type ServeSession } from './serve-harness.js';

const ROWS = 20;
const COLS = 20;
const BANDS = 12;
const ENDMEMBERS = 3;

/**
 * A 20×20×12 float32 GeoTIFF (pixel-interleaved, as geotiff.js writes it) mixing three spectra —
 * a peak low, a peak high and a ramp — with abundances from three smooth blobs that sum to one.
 */
function mixedCubeTiff(): Buffer {
  const spectra = [
    (b: number) => 0.1 + Math.exp(-(((b - 2) / 1.5) ** 2)),
    (b: number) => 0.1 + Math.exp(-(((b - 9) / 1.5) ** 2)),
    (b: number) => 0.2 + b / (BANDS - 1),
  ];
  const centres = [
    [4, 4],
    [15, 6],
    [10, 16],
  ] as const;
  const pixels = new Float32Array(ROWS * COLS * BANDS);
  for (let r = 0; r < ROWS; r++) {
    for (let c = 0; c < COLS; c++) {
      const weights = centres.map(([cr, cc]) => 0.05 + Math.exp(-((r - cr) ** 2 + (c - cc) ** 2) / 30));
      const total = weights.reduce((a, b) => a + b, 0);
      for (let b = 0; b < BANDS; b++) {
        pixels[(r * COLS + c) * BANDS + b] = weights.reduce((sum, w, p) => sum + (w / total) * spectra[p]!(b), 0);
      }
    }
  }
  const tiff = writeArrayBuffer(pixels, {
    width: COLS,
    height: ROWS,
    BitsPerSample: new Array<number>(BANDS).fill(32),
    SampleFormat: new Array<number>(BANDS).fill(3),
    PhotometricInterpretation: 1,
  });
  return Buffer.from(tiff);
}

describe('serve: hyperspectral unmixing in the browser', { timeout: 180_000 }, () => {
  let session: ServeSession;
  before(async () => {
    session = await startServeSession();
    await openApp(session);
  });
  after(async () => {
    await session?.close();
  });

  it('opens a dropped GeoTIFF, unmixes it, plots spectra and maps, and exports a GeoTIFF', () =>
    withFailureReport(session, 'serve-cube', async () => {
      const { page } = session;
      await page.getByTestId('drop-zone').drop({ files: { name: 'mixed-cube.tif', mimeType: 'image/tiff', buffer: mixedCubeTiff() } });
      await page.getByTestId('file-name').filter({ hasText: 'mixed-cube.tif' }).waitFor();
      assert.match(await page.getByTestId('file-summary').innerText(), /20 × 20 pixels × 12 bands/);
      assert.equal(await page.getByTestId('sources').isVisible(), false, 'audio fields are hidden for a cube');

      await page.getByTestId('endmembers').fill(String(ENDMEMBERS));
      await page.getByTestId('iterations').fill('300');
      await page.getByTestId('run').click();
      await page.waitForFunction(
        () => document.querySelectorAll('[data-testid="abundance-map"]').length > 0 || !document.getElementById('error')!.hidden,
        null,
        { timeout: 120_000 },
      );
      assert.equal(await page.getByRole('alert').isHidden(), true, 'no error shown');

      const lines = await page.getByTestId('spectra-plot').evaluate((svg) =>
        [...svg.querySelectorAll('path.spectrum')].map((path) => (path.getAttribute('d') ?? '').split(/[ML]/).filter(Boolean).length),
      );
      assert.deepEqual(lines, [BANDS, BANDS, BANDS], 'three lines of 12 points each');

      const maps = page.getByTestId('abundance-map');
      assert.equal(await maps.count(), ENDMEMBERS);
      for (let i = 0; i < ENDMEMBERS; i++) {
        const stats = await maps.nth(i).evaluate((element) => {
          const canvas = element as HTMLCanvasElement;
          const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
          const colours = new Set<number>();
          for (let p = 0; p < data.length; p += 4) colours.add((data[p]! << 16) | (data[p + 1]! << 8) | data[p + 2]!);
          return { width: canvas.width, height: canvas.height, colours: colours.size };
        });
        assert.equal(stats.width, COLS);
        assert.equal(stats.height, ROWS);
        assert.ok(stats.colours > 10, `map ${i + 1} is not uniform (${stats.colours} colours)`);
      }
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'serve-cube.png'), fullPage: true });

      await page.getByTestId('export').click();
      const items = page.getByTestId('export-list').locator('li');
      await items.first().waitFor();
      const paths = await items.allInnerTexts();
      const tiffs = paths.filter((path) => /\.tiff?$/.test(path));
      assert.ok(tiffs.length >= 1, `a GeoTIFF among ${paths.join(', ')}`);
      const shapes = await Promise.all(
        tiffs.map(async (path) => {
          const bytes = await readFile(path);
          const image = await (await fromArrayBuffer(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))).getImage();
          return { path, width: image.getWidth(), height: image.getHeight(), bands: image.getSamplesPerPixel() };
        }),
      );
      const abundances = shapes.find((s) => s.bands === ENDMEMBERS);
      assert.ok(abundances, `an exported GeoTIFF has ${ENDMEMBERS} bands: ${JSON.stringify(shapes)}`);
      assert.equal(abundances.width, COLS);
      assert.equal(abundances.height, ROWS);
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'serve-cube-exported.png'), fullPage: true });
      assert.deepEqual(session.pageErrors, []);
    }));
});
