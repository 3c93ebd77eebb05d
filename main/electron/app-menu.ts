/**
 * The native menu: File ▸ Open… (⌘O / Ctrl+O), Open Recent (macOS), Export… (⌘E / Ctrl+E), and
 * the platform's usual Edit, View and Window menus. Plain data built from the platform and the
 * actions, so test/unit/electron-shell.test.ts checks it without Electron.
 */
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  open(): void;
  exportResults(): void;
}

export interface MenuOptions {
  readonly platform: NodeJS.Platform;
  readonly appName: string;
  /** Reload and developer tools: in development builds only. */
  readonly devTools: boolean;
}

/** The file types File ▸ Open… offers (what app/detect-kind.ts recognizes, ENVI's many data suffixes included). */
export const OPEN_DIALOG_FILTERS = [
  { name: 'Audio and hyperspectral files', extensions: ['wav', 'wave', 'tif', 'tiff', 'hdr', 'img', 'dat', 'bsq', 'bil', 'bip', 'raw', 'mat', 'npy'] },
  { name: 'WAV audio', extensions: ['wav', 'wave'] },
  { name: 'Hyperspectral cubes', extensions: ['tif', 'tiff', 'hdr', 'img', 'dat', 'bsq', 'bil', 'bip', 'raw', 'mat', 'npy'] },
  { name: 'All files', extensions: ['*'] },
] as const;

export function appMenuTemplate(actions: MenuActions, options: MenuOptions): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { id: 'open', label: 'Open…', accelerator: 'CmdOrCtrl+O', click: () => actions.open() },
      // The OS keeps the list (app.addRecentDocument); Windows shows it in the jump list instead.
      ...(mac ? [{ role: 'recentDocuments', submenu: [{ role: 'clearRecentDocuments' }] } satisfies MenuItemConstructorOptions] : []),
      { type: 'separator' },
      { id: 'export', label: 'Export…', accelerator: 'CmdOrCtrl+E', click: () => actions.exportResults() },
      { type: 'separator' },
      mac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      ...(options.devTools ? ([{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }] satisfies MenuItemConstructorOptions[]) : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  return [
    ...(mac ? [{ label: options.appName, role: 'appMenu' } satisfies MenuItemConstructorOptions] : []),
    file,
    { role: 'editMenu' },
    view,
    { role: 'windowMenu' },
  ];
}
