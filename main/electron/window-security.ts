/**
 * The window side of Electron's security checklist
 * (https://www.electronjs.org/docs/latest/tutorial/security), as plain functions over the few
 * Electron objects they touch, so test/unit/electron-shell.test.ts can check them without Electron:
 *  2. no Node.js integration for remote (or any) content   → nodeIntegration(InWorker/SubFrames): false
 *  3. context isolation                                      → contextIsolation: true
 *  4. process sandboxing                                     → sandbox: true
 *  5. permission requests from remote content                → denyAllPermissions
 *  6. do not disable webSecurity                             → webSecurity: true
 *  8. do not enable allowRunningInsecureContent              → false
 *  9. do not enable experimental features                    → experimentalFeatures: false
 * 10. do not use enableBlinkFeatures                         → not set
 * 12. do not use <webview>                                   → webviewTag: false, will-attach-webview refused
 * 13. disable or limit navigation                            → will-navigate / will-redirect / will-frame-navigate
 * 14. disable or limit creation of new windows               → setWindowOpenHandler → deny
 * 15. do not use shell.openExternal with untrusted content   → never called
 */
import { isAppUrl } from './ipc-guard.js';

export interface SecureWebPreferences {
  readonly preload: string;
  readonly contextIsolation: true;
  readonly sandbox: true;
  readonly nodeIntegration: false;
  readonly nodeIntegrationInWorker: false;
  readonly nodeIntegrationInSubFrames: false;
  readonly webSecurity: true;
  readonly allowRunningInsecureContent: false;
  readonly experimentalFeatures: false;
  readonly webviewTag: false;
  readonly navigateOnDragDrop: false;
  readonly spellcheck: false;
  readonly devTools: boolean;
}

export function secureWebPreferences(preloadPath: string, options: { devTools: boolean }): SecureWebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    // A file dropped outside the drop zone must not replace the app with the file.
    navigateOnDragDrop: false,
    // The spellchecker would download dictionaries from Google's servers.
    spellcheck: false,
    devTools: options.devTools,
  };
}

interface PreventableEvent {
  preventDefault(): void;
}

/** What lockDownContents needs of a WebContents. */
export interface LockableContents {
  on(event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate', listener: (event: PreventableEvent & { url?: string }, url?: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/** Refuses every navigation away from app://nmf-studio, every new window and every <webview>. */
export function lockDownContents(contents: LockableContents, onRefused: (what: string) => void = () => {}): void {
  const guard = (kind: string) => (event: PreventableEvent & { url?: string }, url?: string) => {
    // will-frame-navigate passes the URL on the event (Electron ≥ 25), the others as an argument.
    const target = url ?? event.url ?? '';
    if (isAppUrl(target)) return;
    event.preventDefault();
    onRefused(`${kind} to ${target}`);
  };
  contents.on('will-navigate', guard('navigation'));
  contents.on('will-redirect', guard('redirect'));
  contents.on('will-frame-navigate', guard('frame navigation'));
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    onRefused('<webview>');
  });
  contents.setWindowOpenHandler(({ url }) => {
    onRefused(`window.open(${url})`);
    return { action: 'deny' };
  });
}

/** What denyAllPermissions needs of a Session. */
export interface PermissionSession {
  setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean): void;
  setDevicePermissionHandler(handler: (details: unknown) => boolean): void;
}

/**
 * The app needs no permission at all (no camera, microphone, notifications, geolocation, HID, …):
 * every request and every check is answered no. The clipboard works without one.
 */
export function denyAllPermissions(session: PermissionSession): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}
