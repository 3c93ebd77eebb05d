import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ARTIFACTS_DIR, canvasStats, REPO_ROOT, unnamedControls, useAppSession, withFailureReport } from './serve-harness.js';

// The home page: bundled demos one click away, recent files that reopen in one click, Open… with
// Ctrl+O, drops onto a workspace, errors in the alert region, and light/dark from the OS.

const DEMO_DIR = join(REPO_ROOT, 'renderer', 'static', 'demo');

describe('workspace: home', { timeout: 240_000 }, () => {
  const app = useAppSession();

  it('opens both demos in one click each and lists them as recent files that reopen', () =>
    withFailureReport(app(), 'workspace-home-demos', async () => {
      const { page } = app();
      assert.equal(await page.getByTestId('recent-file').count(), 0);
      assert.deepEqual(await unnamedControls(page), [], 'every control on the home page has an accessible name');
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'workspace-home.png'), fullPage: true });

      await page.getByTestId('demo-audio').click();
      await page.getByTestId('file-name').filter({ hasText: 'demo-mixture.wav' }).waitFor();
      await page.getByTestId('mixture-lane').getByTestId('spectrogram').waitFor();
      assert.equal(await page.getByTestId('home-view').isHidden(), true);

      await page.getByTestId('home').click();
      await page.getByTestId('demo-cube').click();
      await page.getByTestId('file-name').filter({ hasText: 'demo-cube.tif' }).waitFor();
      await page.locator('[data-testid="image-view"][data-painted]').waitFor();

      await page.getByTestId('home').click();
      await page.getByTestId('resume').filter({ hasText: 'Back to demo-cube.tif' }).click();
      assert.equal(await page.getByTestId('home-view').isHidden(), true, 'back to the open workspace');
      await page.getByTestId('home').click();
      const recent = page.getByTestId('recent-file');
      assert.deepEqual(
        (await recent.allInnerTexts()).map((text) => text.split('\n')[0]),
        ['demo-cube.tif', 'demo-mixture.wav'],
        'the most recent first',
      );
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'workspace-home-recent.png'), fullPage: true });

      // Reopening comes from the browser's cache of the bytes, not from the server.
      await recent.nth(1).click();
      await page.getByTestId('file-name').filter({ hasText: 'demo-mixture.wav' }).waitFor();
      const spectrogram = page.getByTestId('mixture-lane').getByTestId('spectrogram');
      await spectrogram.waitFor();
      await page.waitForTimeout(300);
      assert.ok((await canvasStats(spectrogram)).colours > 50, 'the reopened file is analysed and drawn');
      assert.deepEqual(app().pageErrors, []);
    }));

  it('opens a file with Ctrl+O and by dropping it onto the workspace; a bad file is refused in the alert region', () =>
    withFailureReport(app(), 'workspace-home-open', async () => {
      const { page } = app();
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Control+o')]);
      await chooser.setFiles({ name: 'picked.tif', mimeType: 'image/tiff', buffer: await readFile(join(DEMO_DIR, 'demo-cube.tif')) });
      await page.getByTestId('file-name').filter({ hasText: 'picked.tif' }).waitFor();
      await page.locator('[data-testid="image-view"][data-painted]').waitFor();

      await page.getByTestId('workspace').drop({ files: { name: 'dropped.wav', mimeType: 'audio/wav', buffer: await readFile(join(DEMO_DIR, 'demo-mixture.wav')) } });
      await page.getByTestId('file-name').filter({ hasText: 'dropped.wav' }).waitFor();
      await page.getByTestId('audio-workspace').waitFor();
      assert.equal(await page.getByTestId('cube-workspace').isHidden(), true);

      await page.getByTestId('workspace').drop({ files: { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not audio') } });
      await page.getByRole('alert').filter({ hasText: /notes\.txt: not a WAV/ }).waitFor();
      assert.equal(await page.getByTestId('file-name').innerText(), 'dropped.wav', 'the previous file stays open');
      assert.equal(await page.getByTestId('run').isEnabled(), true);
      // Chromium itself logs every non-2xx response; that one is expected here, nothing else is.
      const unexpected = app().pageErrors.filter((e) => !/Failed to load resource: the server responded with a status of 400/.test(e));
      assert.deepEqual(unexpected, []);
      app().pageErrors.length = 0;
    }));

  it('follows the light or dark theme of the OS', () =>
    withFailureReport(app(), 'workspace-home-theme', async () => {
      const { page } = app();
      const background = (): Promise<string> => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
      await page.emulateMedia({ colorScheme: 'light' });
      assert.equal(await background(), 'rgb(244, 246, 249)');
      await page.emulateMedia({ colorScheme: 'dark' });
      assert.equal(await background(), 'rgb(20, 24, 31)');
      await page.getByTestId('home').click();
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'workspace-home-dark.png'), fullPage: true });
      await page.getByTestId('recent-file').first().click();
      await page.getByTestId('audio-workspace').waitFor();
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'workspace-audio-dark.png'), fullPage: true });
      await page.emulateMedia({ colorScheme: 'light' });
      assert.deepEqual(app().pageErrors, []);
    }));
});
