/**
 * Electron shell entry: the only module that imports 'electron' at run time (with preload.ts).
 * It wires the plain modules beside it to Electron's objects:
 *  - app-protocol.ts: the renderer over app://nmf-studio (not file://), COOP/COEP, CSP;
 *  - window-security.ts: sandboxed, context-isolated window; navigation, new windows, webviews
 *    and permissions refused;
 *  - ipc-guard.ts: every IPC message's sender checked and its arguments validated;
 *  - launch-files.ts + file-opener.ts: files from argv, macOS open-file, a second launch (single
 *    instance lock), File ▸ Open… and drops with a path, plus recent documents;
 *  - app-menu.ts: native menu with accelerators; export-dialog.ts: native save dialog for Export.
 * main/electron/SECURITY.md lists Electron's security checklist item by item.
 */
// The compute workers run in this process (worker_threads): the same V8 flags as the CLI.
import '../../native-workers/node/v8-flags.js';
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, type WebContents } from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DesktopFile } from '../../app/desktop-api.js';
import { readInputFile } from '../host/read-input-file.js';
import { createSessionHost } from '../host/session-host.js';
import { appMenuTemplate, OPEN_DIALOG_FILTERS } from './app-menu.js';
import { createAppProtocolHandler } from './app-protocol.js';
import { ExportDialog } from './export-dialog.js';
import { FileOpener } from './file-opener.js';
import { DESKTOP_IPC, JOB_EVENT_IPC } from './ipc-channels.js';
import { APP_ORIGIN, APP_SCHEME, registerDesktopIpc, registerHostIpc } from './ipc-guard.js';
import { filesFromArgv, filesFromLaunchData, type LaunchData } from './launch-files.js';
import { denyAllPermissions, lockDownContents, secureWebPreferences } from './window-security.js';

const rendererDir = fileURLToPath(new URL('../renderer/', import.meta.url));
const preloadPath = fileURLToPath(new URL('./preload.cjs', import.meta.url));
const devTools = !app.isPackaged;

// Before 'ready': app:// behaves like https (standard, secure: a secure context, so
// SharedArrayBuffer is allowed once COOP/COEP make the page cross-origin isolated).
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true } },
]);

const fileOpener = new FileOpener<WebContents>({
  read: async (path, maxBytes) => readInputFile(path, maxBytes),
  deliver: (contents, file: DesktopFile) => {
    if (!contents.isDestroyed()) contents.send(DESKTOP_IPC.openFile, file);
  },
  addRecentDocument: (path) => app.addRecentDocument(path),
  reportError: (error) => {
    const window = BrowserWindow.getAllWindows()[0];
    const options = { type: 'error' as const, title: 'NMF Studio', message: 'Could not open the file', detail: error.message };
    void (window ? dialog.showMessageBox(window, options) : dialog.showMessageBox(options));
  },
});

// A second launch (double-click on another file, `nmf-studio file.wav`) hands its files to this
// instance and quits; this one brings its window forward.
// The files go as the lock's additional data, already resolved against the second launch's own
// working folder (Chromium may reorder and add to the argv the first instance sees).
const launchFiles: LaunchData = { files: filesFromArgv(process.argv, { defaultApp: process.defaultApp === true, cwd: process.cwd() }) };
if (!app.requestSingleInstanceLock(launchFiles)) {
  app.quit();
} else {
  void fileOpener.open(launchFiles.files);
  app.on('second-instance', (_event, argv, workingDirectory, additionalData) => {
    const files = filesFromLaunchData(additionalData) ?? filesFromArgv(argv, { defaultApp: process.defaultApp === true, cwd: workingDirectory });
    void fileOpener.open(files);
    const window = BrowserWindow.getAllWindows()[0];
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });
  // macOS: Finder, the Dock and Open Recent deliver files here, possibly before 'ready'.
  app.on('open-file', (event, path) => {
    event.preventDefault();
    void fileOpener.open([path]);
    if (app.isReady() && BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.on('web-contents-created', (_event, contents) => lockDownContents(contents, (what) => console.warn(`refused: ${what}`)));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  void app.whenReady().then(start);
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 860,
    title: 'NMF Studio',
    show: false,
    webPreferences: secureWebPreferences(preloadPath, { devTools }),
  });
  const contents = window.webContents;
  window.once('ready-to-show', () => window.show());
  // A reload ends the page's subscription (its 'ready' comes again); in-page navigation does not.
  contents.on('did-start-navigation', (_event, _url, isInPlace, isMainFrame) => {
    if (isMainFrame && !isInPlace) fileOpener.detach(contents);
  });
  window.on('closed', () => fileOpener.detach(contents));
  void window.loadURL(`${APP_ORIGIN}/index.html`);
  return window;
}

async function showOpenDialog(): Promise<void> {
  const window = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
  const options = { title: 'Open', properties: ['openFile' as const], filters: OPEN_DIALOG_FILTERS.map((f) => ({ name: f.name, extensions: [...f.extensions] })) };
  const choice = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
  if (!choice.canceled) void fileOpener.open(choice.filePaths);
}

function start(): void {
  protocol.handle(APP_SCHEME, createAppProtocolHandler({ rendererDir }));
  denyAllPermissions(session.defaultSession);

  const exportDir = join(app.getPath('documents'), 'NMF Studio');
  const host = createSessionHost({ exportDir });
  const exporter = new ExportDialog(
    {
      showSaveDialog: (options) => {
        const window = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
        const dialogOptions = { ...options, properties: [...options.properties] };
        return window ? dialog.showSaveDialog(window, dialogOptions) : dialog.showSaveDialog(dialogOptions);
      },
      describe: async (jobId) => (await host.getResult(jobId)).summary,
      exportWith: (jobId, options) => host.exportWith(jobId, options),
    },
    exportDir,
  );
  registerHostIpc(ipcMain, host, { exportResult: (_event, jobId) => exporter.exportResult(jobId) });
  registerDesktopIpc(
    ipcMain,
    {
      ready: (event) => void fileOpener.ready(event.sender as WebContents),
      readDropped: (path) => fileOpener.readDropped(path),
    },
    (error) => console.warn(error.message),
  );
  host.onJobEvent((jobEvent) => {
    for (const window of BrowserWindow.getAllWindows()) window.webContents.send(JOB_EVENT_IPC, jobEvent);
  });

  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      appMenuTemplate(
        {
          open: () => void showOpenDialog(),
          exportResults: () => BrowserWindow.getFocusedWindow()?.webContents.send(DESKTOP_IPC.menu, 'export'),
        },
        { platform: process.platform, appName: app.name, devTools },
      ),
    ),
  );

  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.on('before-quit', () => void host.dispose());
}
