import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fromArrayBuffer } from 'geotiff';
import type { Page } from 'playwright-core';
import { ARTIFACTS_DIR, canvasStats, REPO_ROOT, unnamedControls, useAppSession, withFailureReport } from './serve-harness.js';

// The hyperspectral workspace end to end: drop the bundled demo cube (64 × 64 pixels, 40 bands
// from 400 to 985 nm, written by test/make-demo-inputs.py), check the image modes, a pixel's
// spectrum and the 3-D principal-component view, unmix it, check spectra, maps, error map and
// simplex, rename an endmember, and export and decode the files.

const DEMO = join(REPO_ROOT, 'renderer', 'static', 'demo', 'demo-cube.tif');
const SIZE = 64;
const BANDS = 40;
const ENDMEMBERS = 3;

const plotAttr = async (page: Page, id: string, name: string): Promise<number> => Number(await page.getByTestId(id).getAttribute(`data-${name}`));

describe('workspace: hyperspectral', { timeout: 300_000 }, () => {
  const app = useAppSession();

  it('shows the dropped cube as true colour, band triple or one band, plots a clicked pixel, and rotates the 3-D view', () =>
    withFailureReport(app(), 'workspace-cube-open', async () => {
      const { page } = app();
      await page.getByTestId('drop-zone').drop({ files: { name: 'demo-cube.tif', mimeType: 'image/tiff', buffer: await readFile(DEMO) } });
      await page.getByTestId('file-name').filter({ hasText: 'demo-cube.tif' }).waitFor();
      const image = page.getByTestId('image-view');
      await page.locator('[data-testid="image-view"][data-painted]').waitFor();
      assert.match(await page.getByTestId('file-summary').innerText(), /64 × 64 pixels × 40 bands/);
      assert.equal(await page.getByTestId('sources').isVisible(), false, 'audio fields are hidden for a cube');
      assert.equal(await page.getByTestId('image-mode').inputValue(), 'true', 'wavelengths in the visible range give a true-colour image');
      await page.waitForTimeout(200);
      const trueColour = await canvasStats(image);
      assert.ok(trueColour.colours > 200, `the image shows data (${trueColour.colours} colours)`);

      /** Runs an action that repaints the image; resolves with the new picture's hash. */
      const repaint = async (action: () => Promise<unknown>): Promise<number> => {
        const painted = Number(await image.getAttribute('data-painted'));
        await action();
        await page.locator(`[data-testid="image-view"][data-painted="${painted + 1}"]`).waitFor();
        await page.waitForTimeout(100);
        return (await canvasStats(image)).hash;
      };
      await repaint(() => page.getByTestId('image-mode').selectOption('triple'));
      const falseColour = await repaint(() => page.getByTestId('band-red').selectOption(String(BANDS - 5)));
      assert.notEqual(falseColour, trueColour.hash, 'a near-infrared band in red changes the picture');
      const single = await repaint(() => page.getByTestId('image-mode').selectOption('single'));
      const hot = await repaint(() => page.getByTestId('image-colormap').selectOption('hot'));
      assert.notEqual(single, falseColour);
      assert.notEqual(hot, single, 'another colour map changes the single-band picture');
      await repaint(() => page.getByTestId('image-mode').selectOption('true'));

      const box = (await image.boundingBox())!;
      // The image is fitted and centred: a point left of the centre is a pixel in the left half.
      await page.mouse.click(box.x + box.width / 2 - box.height / 4, box.y + box.height / 4);
      await page.getByTestId('pixel-caption').filter({ hasText: /Pixel row 1[5-8], column 1[5-8]/ }).waitFor();
      assert.equal(await plotAttr(page, 'pixel-plot', 'points'), BANDS);
      assert.equal(await plotAttr(page, 'pixel-plot', 'series'), 1);
      assert.equal(await plotAttr(page, 'pixel-plot', 'x-min'), 400, 'x axis in nanometres');
      assert.equal(await plotAttr(page, 'pixel-plot', 'x-max'), 985);
      const plot = await canvasStats(page.getByTestId('pixel-plot').locator('canvas'));
      assert.ok(plot.inked > 0.01, 'the pixel spectrum draws');
      const caption = await page.getByTestId('pixel-caption').innerText();
      await image.focus();
      await page.keyboard.press('ArrowRight');
      await page.getByTestId('pixel-caption').filter({ hasNotText: caption }).waitFor();

      const pca = page.getByTestId('pca-view');
      assert.equal(Number(await pca.getAttribute('data-points')), SIZE * SIZE, 'every pixel of a small cube is in the cloud');
      await page.waitForTimeout(200);
      const still = await canvasStats(pca);
      assert.ok(still.colours > 20 && still.inked > 0.005, `the point cloud draws (${still.colours} colours, ${(still.inked * 100).toFixed(2)} % inked)`);
      const pbox = (await pca.boundingBox())!;
      await page.mouse.move(pbox.x + pbox.width / 2, pbox.y + pbox.height / 2);
      await page.mouse.down();
      await page.mouse.move(pbox.x + pbox.width / 2 + 120, pbox.y + pbox.height / 2 + 30, { steps: 6 });
      await page.mouse.up();
      await page.waitForTimeout(200);
      assert.notEqual((await canvasStats(pca)).hash, still.hash, 'dragging rotates the view');
      await page.getByTestId('pca-reset').click();
      await page.waitForTimeout(200);
      assert.equal((await canvasStats(pca)).hash, still.hash, 'Reset view goes back to the first view');
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'workspace-cube-opened.png'), fullPage: true });
      assert.deepEqual(app().pageErrors, []);
    }));

  it('unmixes it: endmember spectra, abundance maps on one scale, the error map and the simplex', () =>
    withFailureReport(app(), 'workspace-cube-unmixed', async () => {
      const { page } = app();
      await page.getByTestId('endmembers').fill(String(ENDMEMBERS));
      await page.getByTestId('iterations').fill('300');
      await page.getByTestId('run').click();
      await page.getByTestId('stage').filter({ hasText: 'Done.' }).waitFor({ timeout: 120_000 });
      await page.getByTestId('error-map').waitFor();
      assert.equal(await page.getByRole('alert').isHidden(), true);

      assert.equal(await plotAttr(page, 'endmember-plot', 'series'), ENDMEMBERS);
      assert.equal(await plotAttr(page, 'endmember-plot', 'points'), BANDS);
      const maps = page.getByTestId('abundance-map');
      assert.equal(await maps.count(), ENDMEMBERS);
      const scales = new Set<string | null>();
      for (let p = 0; p < ENDMEMBERS; p++) {
        const stats = await canvasStats(maps.nth(p));
        assert.equal(stats.width, SIZE);
        assert.ok(stats.colours > 20, `map ${p + 1} is not uniform (${stats.colours} colours)`);
        scales.add(await maps.nth(p).getAttribute('data-max'));
      }
      assert.equal(scales.size, 1, 'the maps share one colour scale');
      assert.ok((await canvasStats(page.getByTestId('error-map'))).colours > 20, 'the error map shows data');
      assert.equal(await page.getByTestId('color-bar').count(), 2, 'a colour bar for the abundances, one for the error');
      assert.equal(await page.getByTestId('pca-view').getAttribute('data-simplex'), String(ENDMEMBERS));

      // The picked pixel now shows its model and each endmember's share; the demo fits well.
      assert.equal(await plotAttr(page, 'pixel-plot', 'series'), 2 + ENDMEMBERS);
      const caption = await page.getByTestId('pixel-caption').innerText();
      const rms = Number(/RMS error ([\d.e+-]+)/.exec(caption)?.[1]);
      assert.ok(rms > 0 && rms < 0.01, `the pixel's reconstruction error is small (${caption})`);

      await page.getByTestId('endmember-name').first().fill('Vegetation');
      await page.getByTestId('abundance-name').first().filter({ hasText: 'Vegetation' }).waitFor();
      assert.match(await page.getByTestId('endmember-plot').locator('.u-legend').innerText(), /Vegetation/);
      await page.getByTestId('pixel-plot').locator('.u-legend').filter({ hasText: 'Vegetation × abundance' }).waitFor();

      const map = (await maps.nth(1).boundingBox())!;
      await maps.nth(1).click({ position: { x: map.width * 0.9, y: map.height * 0.1 } });
      await page.getByTestId('pixel-caption').filter({ hasText: /Pixel row [1-9], column 5[6-9]/ }).waitFor();
      assert.deepEqual(await unnamedControls(page), [], 'every control and image has an accessible name');
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'workspace-cube-unmixed.png'), fullPage: true });
      assert.deepEqual(app().pageErrors, []);
    }));

  it('unmixes with the sum-to-one model from SPA: fractions that add up to one in every pixel', () =>
    withFailureReport(app(), 'workspace-cube-sum-to-one', async () => {
      const { page } = app();
      await page.getByTestId('init').selectOption('spa');
      await page.getByTestId('sum-to-one').check();
      await page.getByTestId('iterations').fill('200');
      await page.getByTestId('run').click();
      await page.getByTestId('stage').filter({ hasText: 'Done.' }).waitFor({ timeout: 120_000 });
      await page.getByTestId('error-map').waitFor();
      assert.equal(await page.getByRole('alert').isHidden(), true);
      const top = Number(await page.getByTestId('abundance-map').first().getAttribute('data-max'));
      assert.ok(top > 0.5 && top <= 1 + 1e-4, `abundances are fractions (largest ${top})`);
      const caption = await page.getByTestId('pixel-caption').innerText();
      const shares = [...caption.matchAll(/Endmember \d ([\d.e+-]+)/g)].map((m) => Number(m[1]));
      assert.equal(shares.length, ENDMEMBERS, caption);
      const total = shares.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(total - 1) < 0.01, `the picked pixel's fractions add up to one (${caption})`);
      const rms = Number(/RMS error ([\d.e+-]+)/.exec(caption)?.[1]);
      assert.ok(rms > 0 && rms < 0.005, `the sum-to-one model, with its pixel scale and endmember factors, fits the pixel (${caption})`);
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'workspace-cube-sum-to-one.png'), fullPage: true });
      assert.deepEqual(app().pageErrors, []);
    }));

  it('exports the maps as a GeoTIFF and the spectra as CSV, under the names given in the workspace', () =>
    withFailureReport(app(), 'workspace-cube-export', async () => {
      const { page } = app();
      // A committed name (Enter) goes to the host (renameEndmembers) and into the exported files;
      // the endmembers left unnamed keep the host's default names.
      await page.getByTestId('endmember-name').nth(1).fill('Bare soil');
      await page.getByTestId('endmember-name').nth(1).press('Enter');
      await page.getByTestId('export').click();
      const items = page.getByTestId('export-list').locator('li');
      await items.nth(1).waitFor();
      const paths = await items.allInnerTexts();
      const tiff = paths.find((p) => p.endsWith('.abundances.tif'));
      const csv = paths.find((p) => p.endsWith('.endmembers.csv'));
      assert.ok(tiff && csv, `a GeoTIFF and a CSV among ${paths.join(', ')}`);
      const bytes = await readFile(tiff);
      const decoded = await (await fromArrayBuffer(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))).getImage();
      assert.deepEqual([decoded.getWidth(), decoded.getHeight(), decoded.getSamplesPerPixel()], [SIZE, SIZE, ENDMEMBERS]);
      const lines = (await readFile(csv, 'utf8')).trim().split('\n');
      assert.equal(lines.length, BANDS + 1);
      assert.match(lines[0]!, /^wavelength \(Nanometers\),endmember-1,Bare soil,endmember-3$/);
      assert.deepEqual(app().pageErrors, []);
    }));
});
