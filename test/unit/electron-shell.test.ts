import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import type { DesktopFile } from '../../app/desktop-api.js';
import { appMenuTemplate, OPEN_DIALOG_FILTERS } from '../../main/electron/app-menu.js';
import { ExportDialog, type SaveDialogOptions } from '../../main/electron/export-dialog.js';
import { FileOpener, MAX_DESKTOP_FILE_BYTES } from '../../main/electron/file-opener.js';
import { filesFromArgv, filesFromLaunchData } from '../../main/electron/launch-files.js';
import { denyAllPermissions, lockDownContents, secureWebPreferences } from '../../main/electron/window-security.js';
import { readInputFile } from '../../main/host/read-input-file.js';

describe('files from the command line', () => {
  it('packaged: every plain argument is a file, switches are not', () => {
    const argv = ['/opt/NMF Studio/nmf-studio', '--no-sandbox', 'mix.wav', '/data/cube.tif', '--enable-logging', '-psn_0_1234', 'sub/../b.mat'];
    assert.deepEqual(filesFromArgv(argv, { defaultApp: false, cwd: '/home/me' }), ['/home/me/mix.wav', '/data/cube.tif', '/home/me/b.mat']);
  });

  it('`electron <app> …`: the first plain argument is the app, not a file', () => {
    assert.deepEqual(filesFromArgv(['electron', '--inspect=0', '.', 'mix.wav'], { defaultApp: true, cwd: '/w' }), ['/w/mix.wav']);
    assert.deepEqual(filesFromArgv(['electron', 'dist/electron/main.js'], { defaultApp: true, cwd: '/w' }), []);
  });

  it('after `--` everything is a file, duplicates and NULs are dropped', () => {
    assert.deepEqual(filesFromArgv(['app', '--', '--weird-name.wav', 'a.wav', 'a.wav', 'x\0y'], { defaultApp: false, cwd: '/w' }), ['/w/--weird-name.wav', '/w/a.wav']);
    assert.deepEqual(filesFromArgv(['app'], { defaultApp: false, cwd: '/w' }), []);
  });

  it('a second launch’s files arrive as lock data: absolute paths only, anything else falls back to argv', () => {
    assert.deepEqual(filesFromLaunchData({ files: ['/a/mix.wav', 'relative.wav', 42, '/b\0.wav', 'C:\\x.wav'] }), process.platform === 'win32' ? ['/a/mix.wav', 'C:\\x.wav'] : ['/a/mix.wav']);
    assert.deepEqual(filesFromLaunchData({ files: [] }), []);
    for (const data of [null, undefined, 'x', {}, { files: 'x' }, { files: Array(2000).fill('/a') }]) assert.equal(filesFromLaunchData(data), null, JSON.stringify(data));
  });

  it('a second launch resolves relative paths against its own working folder', () => {
    assert.deepEqual(filesFromArgv(['nmf-studio', 'take2.wav'], { defaultApp: false, cwd: '/elsewhere' }), [resolve('/elsewhere', 'take2.wav')]);
  });
});

/** A FileOpener over a fake file system whose reads finish when the test says. */
function opener(files: Record<string, string | Error>, delays: Record<string, number> = {}) {
  const delivered: { target: string; file: { name: string; text: string } }[] = [];
  const recent: string[] = [];
  const errors: string[] = [];
  const reads: [string, number][] = [];
  const fileOpener = new FileOpener<string>({
    async read(path, maxBytes) {
      reads.push([path, maxBytes]);
      await new Promise((r) => setTimeout(r, delays[path] ?? 0));
      const content = files[path];
      if (content === undefined) throw new Error(`${path}: no such file`);
      if (content instanceof Error) throw content;
      // A view into a larger buffer, as node:fs returns for small files.
      const pool = Buffer.from(`####${content}####`);
      return { name: path.split('/').pop()!, bytes: pool.subarray(4, 4 + Buffer.byteLength(content)) };
    },
    deliver: (target, file: DesktopFile) => void delivered.push({ target, file: { name: file.name, text: Buffer.from(file.bytes).toString() } }),
    addRecentDocument: (path) => void recent.push(path),
    reportError: (error) => void errors.push(error.message),
  });
  return { fileOpener, delivered, recent, errors, reads };
}

describe('FileOpener', () => {
  it('holds a file opened before the page listens and delivers it on ready', async () => {
    const t = opener({ '/a/mix.wav': 'RIFF-a' });
    await t.fileOpener.open(['/a/mix.wav']);
    assert.equal(t.delivered.length, 0);
    assert.equal(t.fileOpener.pending, '/a/mix.wav');
    await t.fileOpener.ready('window-1');
    assert.deepEqual(t.delivered, [{ target: 'window-1', file: { name: 'mix.wav', text: 'RIFF-a' } }]);
    assert.deepEqual(t.recent, ['/a/mix.wav']);
    assert.deepEqual(t.reads, [['/a/mix.wav', MAX_DESKTOP_FILE_BYTES]]);
    assert.equal(t.fileOpener.pending, null);
  });

  it('the last of several files wins (the page shows one file at a time)', async () => {
    const t = opener({ '/a/1.wav': 'one', '/a/2.wav': 'two', '/a/3.wav': 'three' });
    await t.fileOpener.open(['/a/1.wav', '/a/2.wav']);
    await t.fileOpener.open(['/a/3.wav']);
    await t.fileOpener.ready('w');
    assert.deepEqual(t.delivered.map((d) => d.file.name), ['3.wav']);
  });

  it('delivers in the order files were opened, however long each read takes', async () => {
    const t = opener({ '/slow.wav': 'slow', '/fast.wav': 'fast' }, { '/slow.wav': 30 });
    await t.fileOpener.ready('w');
    const first = t.fileOpener.open(['/slow.wav']);
    const second = t.fileOpener.open(['/fast.wav']);
    await Promise.all([first, second]);
    assert.deepEqual(t.delivered.map((d) => d.file.text), ['slow', 'fast']);
  });

  it('reports unreadable files and keeps going; a detached page gets nothing', async () => {
    const t = opener({ '/ok.wav': 'ok', '/big.tif': new Error('/big.tif: file too large') });
    await t.fileOpener.ready('w1');
    await t.fileOpener.open(['/missing.wav']);
    await t.fileOpener.open(['/big.tif']);
    await t.fileOpener.open(['/ok.wav']);
    assert.deepEqual(t.errors, ['/missing.wav: no such file', '/big.tif: file too large']);
    assert.deepEqual(t.recent, ['/ok.wav'], 'only files that opened become recent documents');
    t.fileOpener.detach('w1');
    await t.fileOpener.open(['/ok.wav']);
    assert.equal(t.delivered.length, 1);
    await t.fileOpener.ready('w2');
    assert.deepEqual(t.delivered.map((d) => d.target), ['w1', 'w2']);
  });

  it('reads a dropped ENVI header by path: the data file next to it comes along', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nmf-file-opener-'));
    try {
      const header = 'ENVI\nsamples = 2\nlines = 1\nbands = 2\nheader offset = 0\nfile type = ENVI Standard\ndata type = 4\ninterleave = bsq\nbyte order = 0\n';
      await writeFile(join(dir, 'cube.hdr'), header);
      await writeFile(join(dir, 'cube.img'), Buffer.from(new Float32Array([1, 2, 3, 4]).buffer));
      const recent: string[] = [];
      const fileOpener = new FileOpener<string>({ read: readInputFile, deliver: () => {}, addRecentDocument: (p) => void recent.push(p), reportError: assert.fail });
      const file = await fileOpener.readDropped(join(dir, 'cube.hdr'));
      assert.equal(file.name, 'cube.img');
      assert.ok(file.bytes.byteLength >= 16 + header.length - 1, 'header and data in one buffer');
      assert.deepEqual(recent, [join(dir, 'cube.hdr')]);
      await assert.rejects(fileOpener.readDropped(join(dir, 'nothing.wav')), /no such file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('native menu', () => {
  type Item = { id?: string; role?: string; label?: string; accelerator?: string; click?: () => void; submenu?: Item[] };
  const flatten = (items: Item[]): Item[] => items.flatMap((item) => [item, ...flatten(item.submenu ?? [])]);

  it('File ▸ Open… is CmdOrCtrl+O and Export… is CmdOrCtrl+E, wired to the actions', () => {
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      const done: string[] = [];
      const items = flatten(appMenuTemplate({ open: () => void done.push('open'), exportResults: () => void done.push('export') }, { platform, appName: 'NMF Studio', devTools: false }) as Item[]);
      const open = items.find((i) => i.id === 'open')!;
      const exportItem = items.find((i) => i.id === 'export')!;
      assert.equal(open.accelerator, 'CmdOrCtrl+O');
      assert.equal(exportItem.accelerator, 'CmdOrCtrl+E');
      open.click!();
      exportItem.click!();
      assert.deepEqual(done, ['open', 'export']);
      const roles = items.map((i) => i.role).filter(Boolean);
      assert.equal(roles.includes('recentDocuments'), platform === 'darwin', `${platform}: Open Recent`);
      assert.equal(roles.includes('appMenu'), platform === 'darwin');
      assert.equal(roles.includes('quit'), platform !== 'darwin');
      assert.ok(!roles.includes('toggleDevTools') && !roles.includes('reload'), 'no developer tools in release builds');
    }
    const dev = flatten(appMenuTemplate({ open() {}, exportResults() {} }, { platform: 'linux', appName: 'x', devTools: true }) as Item[]);
    assert.ok(dev.some((i) => i.role === 'toggleDevTools'));
  });

  it('File ▸ Open… offers every format the app reads', () => {
    const all = OPEN_DIALOG_FILTERS[0].extensions as readonly string[];
    for (const ext of ['wav', 'tif', 'tiff', 'hdr', 'img', 'mat', 'npy']) assert.ok(all.includes(ext), ext);
  });
});

describe('window security', () => {
  it('web preferences: isolated, sandboxed, no Node, web security on', () => {
    const prefs = secureWebPreferences('/app/preload.cjs', { devTools: false });
    assert.deepEqual(
      { ...prefs },
      {
        preload: '/app/preload.cjs',
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        experimentalFeatures: false,
        webviewTag: false,
        navigateOnDragDrop: false,
        spellcheck: false,
        devTools: false,
      },
    );
    assert.ok(!('enableBlinkFeatures' in prefs));
  });

  it('navigation, redirects, new windows and webviews are refused except within app://nmf-studio', () => {
    const contents = new EventEmitter() as EventEmitter & { openHandler?: (d: { url: string }) => { action: string } };
    Object.assign(contents, { setWindowOpenHandler: (h: (d: { url: string }) => { action: string }) => (contents.openHandler = h) });
    const refused: string[] = [];
    lockDownContents(contents as never, (what) => void refused.push(what));
    const attempt = (event: string, url: string, onEvent = false): boolean => {
      let prevented = false;
      const e = { preventDefault: () => (prevented = true), url };
      if (onEvent) contents.emit(event, e);
      else contents.emit(event, e, url);
      return prevented;
    };
    assert.equal(attempt('will-navigate', 'https://evil.example/'), true);
    assert.equal(attempt('will-navigate', 'file:///etc/passwd'), true);
    assert.equal(attempt('will-navigate', 'app://nmf-studio.evil/'), true);
    assert.equal(attempt('will-redirect', 'http://127.0.0.1:8080/'), true);
    assert.equal(attempt('will-frame-navigate', 'https://evil.example/frame', true), true);
    assert.equal(attempt('will-navigate', 'app://nmf-studio/index.html'), false);
    assert.equal(attempt('will-attach-webview', ''), true);
    assert.deepEqual(contents.openHandler!({ url: 'https://evil.example/' }), { action: 'deny' });
    assert.deepEqual(contents.openHandler!({ url: 'app://nmf-studio/index.html' }), { action: 'deny' });
    assert.equal(refused.length, 8);
  });

  it('every permission request and check is denied', () => {
    const handlers: Record<string, (...args: never[]) => unknown> = {};
    denyAllPermissions({
      setPermissionRequestHandler: (h) => void (handlers.request = h as never),
      setPermissionCheckHandler: (h) => void (handlers.check = h as never),
      setDevicePermissionHandler: (h) => void (handlers.device = h as never),
    });
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'fullscreen', 'openExternal', 'hid']) {
      let granted: boolean | null = null;
      (handlers.request as (c: unknown, p: string, cb: (g: boolean) => void) => void)(null, permission, (g) => (granted = g));
      assert.equal(granted, false, permission);
      assert.equal((handlers.check as (c: unknown, p: string) => boolean)(null, permission), false, permission);
    }
    assert.equal((handlers.device as (d: unknown) => boolean)({}), false);
  });
});

describe('export with the native save dialog', () => {
  function exporter(answers: { canceled: boolean; filePath?: string }[]) {
    const asked: SaveDialogOptions[] = [];
    const exports: { jobId: string; options: unknown }[] = [];
    const dialog = new ExportDialog(
      {
        showSaveDialog: async (options) => (asked.push(options), answers.shift()!),
        describe: async () => ({ input: 'mix take 1.wav', kind: 'audio' }),
        exportWith: async (jobId, options) => (exports.push({ jobId, options }), { files: [join(options.directory!, 'mix take 1.s1.wav')] }),
      },
      '/home/me/Documents/NMF Studio',
    );
    return { dialog, asked, exports };
  }

  it('asks where, exports there without overwriting, and remembers the folder', async () => {
    const t = exporter([{ canceled: false, filePath: '/music/out/mix take 1 sources' }, { canceled: false, filePath: '/music/out/again' }]);
    assert.deepEqual(await t.dialog.exportResult('job-1'), { files: ['/music/out/mix take 1 sources/mix take 1.s1.wav'] });
    assert.equal(t.asked[0]!.defaultPath, join('/home/me/Documents/NMF Studio', 'mix take 1 sources'));
    assert.deepEqual(t.exports[0], { jobId: 'job-1', options: { directory: '/music/out/mix take 1 sources', onExisting: 'rename' } });
    await t.dialog.exportResult('job-1');
    assert.equal(t.asked[1]!.defaultPath, join('/music/out', 'mix take 1 sources'), 'the next export starts where the last went');
  });

  it('a cancelled dialog writes nothing', async () => {
    const t = exporter([{ canceled: true }, { canceled: false }]);
    assert.deepEqual(await t.dialog.exportResult('job-1'), { files: [] });
    assert.deepEqual(await t.dialog.exportResult('job-1'), { files: [] });
    assert.equal(t.exports.length, 0);
  });
});
