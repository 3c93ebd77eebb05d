import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { Download, Page } from 'playwright-core';
import { decodeWav } from '../../app/audio/wav-codec.js';
import { ARTIFACTS_DIR, canvasStats, REPO_ROOT, unnamedControls, useAppSession, withFailureReport } from './serve-harness.js';

// The audio workspace end to end: drop the bundled demo mixture (renderer/static/demo, written by
// test/make-demo-inputs.py), check the mixture views draw, separate it, check every source lane and
// component draws, play with solo and mute, move a component to the other source and check the
// sources were rebuilt (and still sum to the mixture), then export and decode the files.

const DEMO = join(REPO_ROOT, 'renderer', 'static', 'demo', 'demo-mixture.wav');
const RATE = 16000;
const SECONDS = 4;
// The analysis worker's framing for 16 kHz audio: 1024-sample window, hop 256, centred frames.
const FRAMES = 1 + Math.floor((RATE * SECONDS) / 256);

async function downloadedSamples(page: Page, index: number): Promise<Float32Array> {
  const [download] = (await Promise.all([page.waitForEvent('download'), page.getByTestId('save-source').nth(index).click()])) as [Download, void];
  assert.match(download.suggestedFilename(), new RegExp(`^demo-mixture\\.source-${index + 1}\\.wav$`));
  const path = await download.path();
  const decoded = decodeWav(new Uint8Array(await readFile(path)), download.suggestedFilename());
  assert.equal(decoded.sampleRate, RATE);
  return decoded.channels[0]!;
}

const maxDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);

async function position(page: Page): Promise<number> {
  return Number(await page.getByTestId('transport-time').getAttribute('data-position'));
}

async function level(page: Page): Promise<number> {
  return Number(await page.getByTestId('level').getAttribute('data-level'));
}

/** Waits (up to 5 s) for the output level to cross `threshold`: the meter follows the audio clock, not a fixed delay. */
async function levelSettles(page: Page, above: boolean, threshold: number): Promise<void> {
  await page
    .waitForFunction(
      ([above, threshold]) => {
        const value = Number(document.querySelector('[data-testid="level"]')?.getAttribute('data-level'));
        return above ? value > threshold : value < threshold;
      },
      [above, threshold] as const,
      { timeout: 5_000 },
    )
    .catch(() => undefined);
}

describe('workspace: audio', { timeout: 300_000 }, () => {
  const app = useAppSession();
  let mixture: Float32Array;
  before(async () => {
    mixture = decodeWav(new Uint8Array(await readFile(DEMO)), DEMO).channels[0]!;
  });

  it('shows the dropped mixture: waveform and a zoomable spectrogram with log axis and colour maps', () =>
    withFailureReport(app(), 'workspace-audio-open', async () => {
      const { page } = app();
      await page.getByTestId('drop-zone').drop({ files: { name: 'demo-mixture.wav', mimeType: 'audio/wav', buffer: await readFile(DEMO) } });
      await page.getByTestId('file-name').filter({ hasText: 'demo-mixture.wav' }).waitFor();
      const spectrogram = page.getByTestId('mixture-lane').getByTestId('spectrogram');
      await spectrogram.waitFor();
      assert.equal(await page.locator('.mixture-spectrogram').getAttribute('data-frames'), String(FRAMES));
      assert.equal(await page.locator('.mixture-spectrogram').getAttribute('data-bins'), '513');
      await page.waitForTimeout(300);

      const wave = await canvasStats(page.getByTestId('waveform'));
      assert.ok(wave.inked > 0.05, `the waveform draws (${(wave.inked * 100).toFixed(1)} % inked)`);
      const log = await canvasStats(spectrogram);
      assert.ok(log.colours > 50, `the spectrogram shows data (${log.colours} colours)`);

      await page.getByTestId('log-frequency').click();
      await page.waitForTimeout(200);
      const linear = await canvasStats(spectrogram);
      assert.notEqual(linear.hash, log.hash, 'a linear frequency axis draws differently');
      await page.getByTestId('colormap').selectOption('hot');
      await page.waitForTimeout(200);
      const hot = await canvasStats(spectrogram);
      assert.notEqual(hot.hash, linear.hash, 'another colour map draws differently');
      await page.getByTestId('colormap').selectOption('viridis');
      await page.getByTestId('log-frequency').click();

      await page.getByTestId('zoom-in').click();
      await page.getByTestId('zoom-in').click();
      await page.waitForTimeout(200);
      const lanes = page.getByTestId('lanes');
      const end = Number(await lanes.getAttribute('data-view-end'));
      const start = Number(await lanes.getAttribute('data-view-start'));
      assert.ok(Math.abs(end - start - SECONDS / 4) < 1e-3, `two zoom steps show a quarter (${start}–${end} s)`);
      const zoomed = await canvasStats(spectrogram);
      assert.notEqual(zoomed.hash, log.hash, 'the zoomed spectrogram draws differently');
      // Drag pans the view left: later times come into view.
      const box = (await page.getByTestId('mixture-lane').boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2, { steps: 5 });
      await page.mouse.up();
      assert.ok(Number(await lanes.getAttribute('data-view-start')) > start + 0.2, 'dragging pans');
      await page.getByTestId('zoom-fit').click();
      assert.equal(Number(await lanes.getAttribute('data-view-end')), SECONDS);
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'workspace-audio-opened.png'), fullPage: true });
      assert.deepEqual(app().pageErrors, []);
    }));

  it('separates it into source lanes and components that draw their data', () =>
    withFailureReport(app(), 'workspace-audio-separated', async () => {
      const { page } = app();
      await page.getByTestId('sources').fill('2');
      await page.getByTestId('components').fill('8');
      await page.getByTestId('iterations').fill('200');
      await page.getByTestId('run').click();
      await page.getByTestId('stage').filter({ hasText: 'Done.' }).waitFor({ timeout: 120_000 });
      const lanes = page.getByTestId('source-lane');
      assert.equal(await lanes.count(), 2);
      assert.equal(await page.getByTestId('component').count(), 8);
      await page.waitForTimeout(300);
      for (let s = 0; s < 2; s++) {
        const stats = await canvasStats(lanes.nth(s).getByTestId('spectrogram'));
        assert.ok(stats.colours > 30, `source ${s + 1}'s spectrogram shows data (${stats.colours} colours)`);
        assert.match(await lanes.nth(s).getByTestId('source-share').innerText(), /\d+\.\d % of the energy/);
      }
      const shares = await page.getByTestId('source-share').allInnerTexts();
      const total = shares.reduce((sum, text) => sum + Number(/([\d.]+) %/.exec(text)![1]), 0);
      assert.ok(Math.abs(total - 100) < 0.2, `energy shares add up to 100 % (${shares.join(', ')})`);
      for (let k = 0; k < 8; k++) {
        const card = page.getByTestId('component').nth(k);
        const spectrum = await canvasStats(card.getByTestId('component-spectrum'));
        const activation = await canvasStats(card.getByTestId('component-activation'));
        assert.ok(spectrum.inked > 0.01 && activation.inked > 0.01, `component ${k + 1} draws its spectrum and activation`);
      }
      assert.equal(await page.getByRole('alert').isHidden(), true);
      assert.deepEqual(await unnamedControls(page), [], 'every control and image has an accessible name');
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'workspace-audio-separated.png'), fullPage: true });
      assert.deepEqual(app().pageErrors, []);
    }));

  it('plays with Space, moves the playhead, solos and mutes sources, and seeks by clicking', () =>
    withFailureReport(app(), 'workspace-audio-play', async () => {
      const { page } = app();
      await page.getByTestId('mixture-lane').focus();
      await page.keyboard.press('Space');
      await page.waitForTimeout(800);
      const t1 = await position(page);
      assert.ok(t1 > 0.3, `the transport advances (${t1} s)`);
      assert.ok(Number(await page.getByTestId('playhead').getAttribute('data-time')) > 0.3, 'the playhead moves');
      assert.ok((await level(page)) > 1e-3, `sound comes out (level ${await level(page)})`);

      const mutes = page.getByTestId('mute');
      await mutes.nth(0).click();
      await mutes.nth(1).click();
      await levelSettles(page, false, 1e-4);
      assert.ok((await level(page)) < 1e-4, `muting both sources silences the output (level ${await level(page)})`);
      await mutes.nth(0).click();
      await mutes.nth(1).click();
      await page.getByTestId('solo').nth(0).click();
      assert.equal(await page.getByTestId('solo').nth(0).getAttribute('aria-pressed'), 'true');
      assert.match((await page.getByTestId('source-lane').nth(1).getAttribute('class'))!, /inaudible/, 'soloing source 1 silences source 2');
      await levelSettles(page, true, 1e-3);
      assert.ok((await level(page)) > 1e-3, 'the soloed source plays');
      await page.getByTestId('solo').nth(0).click();

      await page.getByTestId('mixture-lane').focus();
      await page.keyboard.press('Space');
      const stopped = await position(page);
      await page.waitForTimeout(300);
      assert.equal(await position(page), stopped, 'Space pauses');
      assert.equal(await page.getByTestId('play').innerText(), 'Play');

      const box = (await page.getByTestId('mixture-lane').boundingBox())!;
      await page.mouse.click(box.x + box.width / 2, box.y + 20);
      const sought = await position(page);
      assert.ok(Math.abs(sought - SECONDS / 2) < 0.05, `a click seeks to the middle (${sought} s)`);
      assert.deepEqual(app().pageErrors, []);
    }));

  it('moves a component to the other source by drag and drop; the sources are rebuilt, still sum to the mixture, and export as such', () =>
    withFailureReport(app(), 'workspace-audio-regroup', async () => {
      const { page } = app();
      const before = [await downloadedSamples(page, 0), await downloadedSamples(page, 1)];
      assert.equal(before[0]!.length, RATE * SECONDS);

      const card = page.locator('[data-testid="component"][data-source="0"]').first();
      const component = await card.getAttribute('data-component');
      await card.dragTo(page.getByTestId('source-lane').nth(1));
      await page.locator('[data-testid="regroup-status"][data-regroups="1"]').waitFor({ timeout: 60_000 });
      assert.equal(await page.locator(`[data-testid="component"][data-component="${component}"]`).getAttribute('data-source'), '1', 'the card now belongs to source 2');

      const afterMove = [await downloadedSamples(page, 0), await downloadedSamples(page, 1)];
      assert.ok(maxDiff(before[0]!, afterMove[0]!) > 1e-3, `source 1 changed (max difference ${maxDiff(before[0]!, afterMove[0]!)})`);
      assert.ok(maxDiff(before[1]!, afterMove[1]!) > 1e-3, 'source 2 changed');
      const sum = afterMove[0]!.map((x, i) => x + afterMove[1]![i]!);
      assert.ok(maxDiff(sum, mixture) < 3 / 32768, `the rebuilt sources still sum to the mixture (max error ${maxDiff(sum, mixture)})`);

      // It plays at once with the new sources.
      await page.getByTestId('mixture-lane').focus();
      await page.keyboard.press('Space');
      await page.waitForTimeout(400);
      assert.ok((await level(page)) > 1e-3, 'the rebuilt sources play');
      await page.keyboard.press('Space');
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'workspace-audio-regrouped.png'), fullPage: true });

      // Ctrl+E exports what is shown: the rebuilt sources.
      await page.keyboard.press('Control+e');
      const items = page.getByTestId('export-list').locator('li');
      await items.nth(1).waitFor();
      const paths = await items.allInnerTexts();
      assert.equal(paths.length, 2, `two WAV files: ${paths.join(', ')}`);
      for (const [s, path] of paths.entries()) {
        assert.match(path, new RegExp(`demo-mixture\\.source-${s + 1}\\.wav$`));
        const decoded = decodeWav(new Uint8Array(await readFile(path)), path);
        assert.equal(decoded.channels[0]!.length, RATE * SECONDS);
        assert.equal(maxDiff(decoded.channels[0]!, afterMove[s]!), 0, `the exported source ${s + 1} is the rebuilt one`);
      }
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'workspace-audio-exported.png'), fullPage: true });
      assert.deepEqual(app().pageErrors, []);
    }));
});
