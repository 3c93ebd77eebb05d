import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Download, Page } from 'playwright-core';
import { decodeWav } from '../../app/audio/wav-codec.js';
import { ARTIFACTS_DIR, REPO_ROOT, unnamedControls, useAppSession, withFailureReport } from './serve-harness.js';

// Guided mode in the audio workspace, end to end. The fixtures (test/make-guided-fixtures.py): a
// 4 s mixture where a bass plays alone for the first second and bells join at 1.0 s, and an
// example clip of other bell notes (plus the same clip at 8 kHz, which must be refused).
// Automatic separation first; then the bass-only span is marked and assigned to source 2 and the
// bells clip dropped on source 1's lane, the reverse of the automatic order (source 1 is the
// lowest spectral centroid, the bass). "Separate with guides" must then put the bass in source 2:
// proof that the job received the guides, besides the summary saying so.

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'guided');
const RATE = 16000;
const SECONDS = 4;
/** The bass plays alone in [0, 1) s; the measurement keeps clear of the bells' onset. */
const SOLO = { start: 0.05, end: 0.9 };

async function sources(page: Page): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let s = 0; s < 2; s++) {
    const [download] = (await Promise.all([page.waitForEvent('download'), page.getByTestId('save-source').nth(s).click()])) as [Download, void];
    assert.equal(download.suggestedFilename(), `mixture.source-${s + 1}.wav`);
    const decoded = decodeWav(new Uint8Array(await readFile(await download.path())), download.suggestedFilename());
    assert.equal(decoded.sampleRate, RATE);
    out.push(decoded.channels[0]!);
  }
  return out;
}

/** Energy of a signal between two times (seconds). */
function energy(x: Float32Array, start: number, end: number): number {
  let sum = 0;
  for (let i = Math.floor(start * RATE); i < Math.min(x.length, Math.floor(end * RATE)); i++) sum += x[i]! ** 2;
  return sum;
}

const maxDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);

/** Drags across the mixture lane from one time to another (the view shows the whole recording). */
async function dragOnMixture(page: Page, from: number, to: number): Promise<void> {
  const box = (await page.getByTestId('mixture-lane').boundingBox())!;
  const x = (t: number): number => box.x + (box.width * t) / SECONDS;
  const y = box.y + box.height / 2;
  await page.mouse.move(x(from), y);
  await page.mouse.down();
  await page.mouse.move(x(to), y, { steps: 6 });
  await page.mouse.up();
}

describe('workspace: guided separation', { timeout: 300_000 }, () => {
  const app = useAppSession();
  let automatic: Float32Array[] = [];

  it('separates automatically first: the bass (lowest centroid) is source 1', () =>
    withFailureReport(app(), 'workspace-guided-automatic', async () => {
      const { page } = app();
      await page.getByTestId('drop-zone').drop({ files: { name: 'mixture.wav', mimeType: 'audio/wav', buffer: await readFile(join(FIXTURES, 'mixture.wav')) } });
      await page.getByTestId('file-name').filter({ hasText: 'mixture.wav' }).waitFor();
      await page.locator('.mixture-spectrogram[data-frames]').waitFor();
      await page.getByTestId('sources').fill('2');
      await page.getByTestId('components').fill('8');
      await page.getByTestId('run').click();
      await page.getByTestId('stage').filter({ hasText: 'Done.' }).waitFor({ timeout: 120_000 });
      assert.equal(await page.getByTestId('source-lane').count(), 2);
      automatic = await sources(page);
      const [e1, e2] = [energy(automatic[0]!, SOLO.start, SOLO.end), energy(automatic[1]!, SOLO.start, SOLO.end)];
      assert.ok(e1 > 4 * e2, `automatic: source 1 holds the solo bass (energies ${e1.toFixed(2)} vs ${e2.toFixed(2)})`);
      assert.equal(await page.getByTestId('run-guided').isDisabled(), true, 'no guides yet: nothing to run');
      assert.deepEqual(app().pageErrors, []);
    }));

  it('marks solo ranges (Mark mode and Shift+drag), edits and deletes them, and assigns one to a source', () =>
    withFailureReport(app(), 'workspace-guided-ranges', async () => {
      const { page } = app();
      // Mark mode: a plain drag selects instead of panning.
      await page.getByTestId('mark-range').click();
      assert.equal(await page.getByTestId('mark-range').getAttribute('aria-pressed'), 'true');
      const viewBefore = await page.getByTestId('lanes').getAttribute('data-view-start');
      await dragOnMixture(page, 0.1, 0.8);
      assert.equal(await page.getByTestId('lanes').getAttribute('data-view-start'), viewBefore, 'marking does not pan');
      const rows = page.getByTestId('guide-range');
      await rows.first().waitFor();
      assert.equal(await rows.count(), 1);
      const start = Number(await rows.first().getByTestId('range-start').inputValue());
      const end = Number(await rows.first().getByTestId('range-end').inputValue());
      assert.ok(Math.abs(start - 0.1) < 0.03 && Math.abs(end - 0.8) < 0.03, `the range is where it was dragged (${start}–${end} s)`);
      assert.equal(await page.getByTestId('range-overlay').getByTestId('range').count(), 1, 'the range is drawn on the mixture');
      await page.getByTestId('mark-range').click();

      // Shift+drag marks without the mode; Delete removes the selected (newest) range.
      await page.keyboard.down('Shift');
      await dragOnMixture(page, 2.0, 2.6);
      await page.keyboard.up('Shift');
      assert.equal(await rows.count(), 2);
      await page.keyboard.press('Delete');
      assert.equal(await rows.count(), 1, 'Delete removes the selected range');
      assert.equal(await page.getByTestId('range-overlay').getByTestId('range').count(), 1);

      // The times are editable.
      await rows.first().getByTestId('range-start').fill(String(SOLO.start));
      await rows.first().getByTestId('range-start').press('Tab');
      await rows.first().getByTestId('range-end').fill(String(SOLO.end));
      await rows.first().getByTestId('range-end').press('Tab');
      assert.equal(await rows.first().getByTestId('range-start').inputValue(), SOLO.start.toFixed(2));
      assert.equal(await rows.first().getByTestId('range-end').inputValue(), SOLO.end.toFixed(2));
      // A reversed end is refused and snaps back.
      await rows.first().getByTestId('range-end').fill('0.01');
      await rows.first().getByTestId('range-end').press('Tab');
      assert.equal(await rows.first().getByTestId('range-end').inputValue(), SOLO.end.toFixed(2));

      // Assigned to source 2: the menu lists the sources by name.
      const menu = rows.first().getByTestId('range-source');
      assert.deepEqual((await menu.locator('option').allInnerTexts()).slice(1), ['source-1', 'source-2']);
      await menu.selectOption('1');
      assert.match(await page.getByTestId('range-overlay').getByTestId('range').first().innerText(), /→ source-2/);
      assert.equal(await page.getByTestId('run-guided').isDisabled(), false);
      assert.deepEqual(app().pageErrors, []);
    }));

  it('takes an example clip dropped on a lane, and refuses one at another sample rate', () =>
    withFailureReport(app(), 'workspace-guided-clip', async () => {
      const { page } = app();
      const lane = page.getByTestId('source-lane').nth(0);
      await lane.drop({ files: { name: 'bells-clip-8k.wav', mimeType: 'audio/wav', buffer: await readFile(join(FIXTURES, 'bells-clip-8k.wav')) } });
      await page.getByRole('alert').filter({ hasText: '8000 Hz' }).waitFor();
      assert.match(await page.getByRole('alert').innerText(), /bells-clip-8k\.wav is at 8000 Hz but mixture\.wav is at 16000 Hz/);
      assert.equal(await page.getByTestId('lane-clip').count(), 0);
      assert.equal(await page.getByTestId('file-name').innerText(), 'mixture.wav', 'a clip dropped on a lane does not open as the input');

      await lane.drop({ files: { name: 'bells-clip.wav', mimeType: 'audio/wav', buffer: await readFile(join(FIXTURES, 'bells-clip.wav')) } });
      await lane.getByTestId('lane-clip').waitFor();
      assert.match(await lane.getByTestId('lane-clip').innerText(), /bells-clip\.wav/);
      assert.match(await page.getByTestId('guide-clip').innerText(), /bells-clip\.wav → source-1/);
      assert.equal(await page.getByTestId('file-name').innerText(), 'mixture.wav');
      assert.match(await page.getByTestId('guide-hint').innerText(), /Guided by 1 range and 1 clip/);
      assert.deepEqual(await unnamedControls(page), [], 'every guide control has an accessible name');
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'workspace-guided-marked.png'), fullPage: true });
      assert.deepEqual(app().pageErrors, []);
    }));

  it('separates with the guides: the new result replaces the old, and the bass moved to source 2', () =>
    withFailureReport(app(), 'workspace-guided-run', async () => {
      const { page } = app();
      await page.getByTestId('run-guided').click();
      await page.getByTestId('job-summary').filter({ hasText: 'Guided by 1 range and 1 clip' }).waitFor({ timeout: 120_000 });
      assert.equal(await page.getByTestId('job-summary').getAttribute('data-guided'), 'true');
      assert.equal(await page.getByTestId('error').isHidden(), true, (await page.getByTestId('error').textContent()) ?? '');
      assert.equal(await page.getByTestId('source-lane').count(), 2, 'the lanes were replaced, not added');
      assert.equal(await page.getByTestId('component').count(), 8);
      // The guides stay for another round: the range, and the clip on its lane.
      assert.equal(await page.getByTestId('guide-range').count(), 1);
      assert.equal(await page.getByTestId('source-lane').nth(0).getByTestId('lane-clip').count(), 1);

      const guided = await sources(page);
      for (let s = 0; s < 2; s++) assert.ok(maxDiff(guided[s]!, automatic[s]!) > 1e-2, `source ${s + 1}'s audio changed (max difference ${maxDiff(guided[s]!, automatic[s]!)})`);
      const [e1, e2] = [energy(guided[0]!, SOLO.start, SOLO.end), energy(guided[1]!, SOLO.start, SOLO.end)];
      assert.ok(e2 > 4 * e1, `guided: source 2 holds the solo bass (energies ${e1.toFixed(2)} vs ${e2.toFixed(2)})`);
      const mixture = decodeWav(new Uint8Array(await readFile(join(FIXTURES, 'mixture.wav'))), 'mixture.wav').channels[0]!;
      const sum = guided[0]!.map((x, i) => x + guided[1]![i]!);
      assert.ok(maxDiff(sum, mixture) < 3 / 32768, 'the guided sources still sum to the mixture');
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'workspace-guided-separated.png'), fullPage: true });
      assert.deepEqual(app().pageErrors, []);
    }));
});
