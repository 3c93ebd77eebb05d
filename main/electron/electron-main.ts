/**
 * Electron shell: the only module that imports 'electron'. It serves the renderer over a custom
 * app:// protocol (not file://), exposes the session host over IPC to a sandboxed,
 * context-isolated window, and locks navigation, new windows and permissions down
 * (Electron's security checklist, https://www.electronjs.org/docs/latest/tutorial/security).
 */
import { app, BrowserWindow, ipcMain, protocol, session, type IpcMainInvokeEvent } from 'electron';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOST_METHODS, JOB_EVENT_CHANNEL, type HostApi, type HostMethod } from '../../app/host-api.js';
import { validateHostCall } from '../../app/host-api-validation.js';
import { containedPath } from '../host/contained-path.js';
import { contentType, ISOLATION_HEADERS, rendererCsp } from '../host/security-headers.js';
import { createSessionHost } from '../host/session-host.js';

const APP_ORIGIN = 'app://nmf-studio';
const rendererDir = fileURLToPath(new URL('../renderer/', import.meta.url));
const preloadPath = fileURLToPath(new URL('./preload.cjs', import.meta.url));

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true } },
]);

if (!app.requestSingleInstanceLock()) app.quit();

function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url ?? '';
  return url.startsWith(`${APP_ORIGIN}/`);
}

async function serveRenderer(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.host !== 'nmf-studio') return new Response('not found', { status: 404 });
  const path = containedPath(rendererDir, url.pathname);
  if (!path) return new Response('bad path', { status: 400 });
  try {
    const body = await readFile(path);
    const headers: Record<string, string> = { ...ISOLATION_HEADERS, 'Content-Type': contentType(path) };
    if (path.endsWith('.html')) headers['Content-Security-Policy'] = rendererCsp([]);
    return new Response(body, { headers });
  } catch {
    return new Response('not found', { status: 404 });
  }
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 860,
    title: 'NMF Studio',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
    },
  });
  window.webContents.on('will-navigate', (event, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
  });
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  void window.loadURL(`${APP_ORIGIN}/index.html`);
  return window;
}

void app.whenReady().then(() => {
  protocol.handle('app', serveRenderer);
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  const host = createSessionHost({ exportDir: join(app.getPath('documents'), 'NMF Studio') });
  for (const method of HOST_METHODS) {
    ipcMain.handle(`host:${method}`, (event, ...args: unknown[]) => {
      if (!isTrustedSender(event)) throw new Error('IPC from an untrusted frame refused');
      const valid = validateHostCall(method, args);
      return (host[method] as (...a: unknown[]) => unknown)(...(valid as unknown[]));
    });
  }
  host.onJobEvent((jobEvent) => {
    for (const window of BrowserWindow.getAllWindows()) window.webContents.send(`host:${JOB_EVENT_CHANNEL}`, jobEvent);
  });

  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.on('before-quit', () => void host.dispose());
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

export type { HostApi, HostMethod };
