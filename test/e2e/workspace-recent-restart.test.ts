import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ARTIFACTS_DIR, openApp, startServeSession, withFailureReport, type ServeSession } from './serve-harness.js';

// Recent files live in the browser's storage, which is per origin (scheme, host and port). `serve`
// therefore listens on a fixed default port (main/serve/port-choice.ts): a file opened in one
// session is in the recent list of the next, in the same browser profile. Two sessions of the
// real CLI on its default port (no --port), one persistent Chromium profile.

describe('workspace: recent files across serve sessions', { timeout: 240_000 }, () => {
  const dirs: string[] = [];
  let session: ServeSession | null = null;
  after(async () => {
    await session?.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('lists a file opened in one session in the next one, on the same default port', async () => {
    const profile = await mkdtemp(join(tmpdir(), 'nmf-recent-profile-'));
    dirs.push(profile);
    const port = (url: string): string => new URL(url).port;

    session = await startServeSession({ serveArgs: [], userDataDir: profile });
    const first = session;
    let firstPort = '';
    await withFailureReport(first, 'workspace-recent-first', async () => {
      firstPort = port(first.url);
      // The default port, or (when something else holds it) the next free one, said on stdout.
      const fellBack = /Port (\d+) is in use; using port (\d+) instead/.exec(first.serverOutput());
      assert.equal(firstPort, fellBack ? fellBack[2] : '47150', first.serverOutput());
      await openApp(first);
      assert.equal(await first.page.getByTestId('recent-file').count(), 0, 'a new profile has no recent files');
      await first.page.getByTestId('demo-audio').click();
      await first.page.getByTestId('file-name').filter({ hasText: 'demo-mixture.wav' }).waitFor();
      await first.page.locator('.mixture-spectrogram[data-frames]').waitFor();
      // The entry is written once the bytes are cached (IndexedDB first, then the list): wait for it,
      // as a person would not close the browser within those milliseconds.
      await first.page.waitForFunction(() => (localStorage.getItem('nmf-studio.recent-files') ?? '').includes('demo-mixture.wav'));
      assert.deepEqual(first.pageErrors, []);
    });
    await first.close();
    session = null;

    session = await startServeSession({ serveArgs: [], userDataDir: profile });
    const second = session;
    await withFailureReport(second, 'workspace-recent-second', async () => {
      assert.equal(port(second.url), firstPort, 'the second session listens on the same port, so the page has the same origin');
      assert.notEqual(new URL(second.url).searchParams.get('token'), new URL(first.url).searchParams.get('token'), 'with a new token');
      await openApp(second);
      const recent = second.page.getByTestId('recent-file');
      await recent.first().waitFor();
      assert.match(await recent.first().innerText(), /demo-mixture\.wav/);
      await second.page.screenshot({ path: join(ARTIFACTS_DIR, 'workspace-recent-after-restart.png'), fullPage: true });
      // It reopens from the browser's cache in one click.
      await recent.first().click();
      await second.page.getByTestId('file-name').filter({ hasText: 'demo-mixture.wav' }).waitFor();
      assert.deepEqual(second.pageErrors, []);
    });
  });
});
