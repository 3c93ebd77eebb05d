/**
 * Sandboxed preload (bundled to CommonJS: a sandboxed preload may require only 'electron' and a
 * few built-ins). Exposes `window.nmfHost` (HostApi) and `window.nmfDesktop` (DesktopApi) through
 * contextBridge; the page never sees ipcRenderer. The objects are built in preload-api.ts.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createPreloadDesktop, createPreloadHost } from './preload-api.js';

contextBridge.exposeInMainWorld('nmfHost', createPreloadHost(ipcRenderer));
contextBridge.exposeInMainWorld('nmfDesktop', createPreloadDesktop(ipcRenderer, webUtils));
