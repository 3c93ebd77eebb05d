import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { encodeWav } from '../../app/audio/wav-codec.js';
import type { DesktopApi } from '../../app/desktop-api.js';
import type { HostApi, JobEvent } from '../../app/host-api.js';

/**
 * The desktop app end to end, driven by Playwright's _electron.launch. Needs an Electron binary:
 * ELECTRON_OVERRIDE_DIST_PATH (an unpacked Electron folder) or the one the electron package
 * downloads on first use (node_modules/electron/path.txt), and a display on Linux (xvfb-run).
 * Without them every test is reported skipped with the reason. The app is the unfused development
 * build (dist/electron/main.js): the release fuses turn off the inspector Playwright needs.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function electronExecutable(): string | null {
  const name = process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : process.platform === 'win32' ? 'electron.exe' : 'electron';
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) return existsSync(join(override, name)) ? join(override, name) : null;
  const pathFile = join(ROOT, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) return null;
  const path = join(ROOT, 'node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(path) ? path : null;
}

function skipReason(): string | false {
  const executable = electronExecutable();
  if (!executable) {
    return process.env.ELECTRON_OVERRIDE_DIST_PATH
      ? `no Electron executable in ELECTRON_OVERRIDE_DIST_PATH=${process.env.ELECTRON_OVERRIDE_DIST_PATH}`
      : 'no Electron binary: set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron, or run `npx electron --version` once with internet access';
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'no display for Electron (run the tests under xvfb-run)';
  if (!existsSync(join(ROOT, 'dist', 'electron', 'main.js'))) return 'the app is not built: run npm run build';
  return false;
}

declare global {
  interface Window {
    readonly nmfHost?: HostApi;
    readonly nmfDesktop?: DesktopApi;
  }
}

/** Two tones, half a second: small enough to cross evaluate() as numbers, long enough to separate. */
function testWav(): Uint8Array {
  const rate = 8000;
  const samples = Float32Array.from({ length: rate / 2 }, (_, i) => 0.4 * Math.sin((2 * Math.PI * 330 * i) / rate) + 0.3 * Math.sin((2 * Math.PI * 1700 * i) / rate));
  return encodeWav({ sampleRate: rate, channels: [samples] }, 'pcm16');
}

describe('desktop app (Electron)', { skip: skipReason() }, () => {
  let dir: string;
  let app: ElectronApplication;
  let page: Page;
  const wavName = 'electron-e2e mix.wav';
  const pageErrors: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nmf-electron-e2e-'));
    await writeFile(join(dir, wavName), testWav());
    app = await electron.launch({
      executablePath: electronExecutable()!,
      args: [
        // Chromium's own sandbox cannot start as root (CI containers); the renderer's sandbox option is still on.
        ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
        `--user-data-dir=${join(dir, 'user-data')}`,
        join(ROOT, 'dist', 'electron', 'main.js'),
        join(dir, wavName),
      ],
      cwd: dir,
      timeout: 60_000,
    });
    page = await app.firstWindow();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.waitForLoadState('domcontentloaded');
  });
  after(async () => {
    await app?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('opens a secure window: app://, context isolation, sandbox, no Node in the page, cross-origin isolated', async () => {
    assert.match(page.url(), /^app:\/\/nmf-studio\//);
    // Undocumented but present in Electron's WebContents; when it is there, read the settings back.
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const contents = BrowserWindow.getAllWindows()[0]!.webContents as unknown as { getLastWebPreferences?: () => Record<string, unknown> | null };
      return contents.getLastWebPreferences?.() ?? null;
    });
    if (prefs !== null) {
      assert.equal(prefs.contextIsolation, true);
      assert.equal(prefs.sandbox, true);
      assert.equal(prefs.nodeIntegration, false);
      assert.equal(prefs.webviewTag, false);
    }
    const inPage = await page.evaluate(async () => {
      const g = globalThis as Record<string, unknown>;
      const opened = window.open('https://example.com/');
      const response = await fetch('/index.html');
      return {
        require: typeof g.require,
        process: typeof g.process,
        module: typeof g.module,
        crossOriginIsolated: globalThis.crossOriginIsolated,
        sharedArrayBuffer: typeof SharedArrayBuffer,
        host: Object.keys(window.nmfHost ?? {}).sort(),
        windowOpen: opened === null,
        csp: response.headers.get('content-security-policy'),
        coep: response.headers.get('cross-origin-embedder-policy'),
      };
    });
    assert.equal(inPage.require, 'undefined');
    assert.equal(inPage.process, 'undefined');
    assert.equal(inPage.module, 'undefined');
    assert.equal(inPage.crossOriginIsolated, true);
    assert.equal(inPage.sharedArrayBuffer, 'function');
    // contextBridge refuses to expose anything unless context isolation is on.
    assert.ok(inPage.host.includes('startJob') && inPage.host.includes('onJobEvent'));
    assert.equal(inPage.windowOpen, true, 'window.open is refused');
    assert.match(inPage.csp ?? '', /script-src 'self' 'wasm-unsafe-eval'/);
    assert.equal(inPage.coep, 'require-corp');
    await page.evaluate(() => {
      location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    assert.match(page.url(), /^app:\/\/nmf-studio\//, 'navigation away is refused');
    assert.equal((await app.windows()).length, 1);
  });

  it('opens the file given on the command line', async () => {
    await page.getByText(wavName).first().waitFor({ timeout: 30_000 });
  });

  it('runs a job and exports through the save dialog', async () => {
    const outDir = join(dir, 'exported');
    // The native dialog cannot be clicked by Playwright: answer it from the main process.
    await app.evaluate(({ dialog }, target) => {
      dialog.showSaveDialog = (async () => ({ canceled: false, filePath: target })) as typeof dialog.showSaveDialog;
    }, outDir);
    const bytes = [...testWav()];
    const outcome = await page.evaluate(async (wav) => {
      const host = window.nmfHost!;
      const opened = await host.openFile('api mix.wav', new Uint8Array(wav).buffer);
      const done = new Promise<JobEvent>((resolve) => {
        const off = host.onJobEvent((event) => {
          if (event.type !== 'progress') {
            off();
            resolve(event);
          }
        });
      });
      const { jobId } = await host.startJob({ kind: 'separate', fileId: opened.fileId, sources: 2, components: 4, maxIter: 30 });
      const final = await done;
      if (final.type !== 'done') return { final, files: [] as string[] };
      const result = await host.getResult(jobId);
      const exported = await host.exportResult(jobId);
      return { final, kind: result.kind, files: [...exported.files] };
    }, bytes);
    assert.equal(outcome.final.type, 'done', JSON.stringify(outcome.final));
    assert.equal(outcome.files.length, 2);
    for (const file of outcome.files) {
      assert.equal(dirname(file), outDir);
      assert.ok((await stat(file)).size > 44, `${file} holds audio`);
    }
    assert.equal((await readdir(outDir)).length, 2);
    assert.deepEqual(pageErrors, []);
  });
});
