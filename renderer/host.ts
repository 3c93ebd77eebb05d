import type { DesktopApi } from '../app/desktop-api.js';
import type { HostApi } from '../app/host-api.js';
import { installDesktopIntegration } from './desktop-integration.js';
import { createWebHostClient } from './web-host-client.js';

declare global {
  interface Window {
    /** Set by the Electron preload (contextBridge); absent when the page is served by the web host. */
    readonly nmfHost?: HostApi;
    /** The desktop shell's extras (opened files, drops by path, menu); Electron only. */
    readonly nmfDesktop?: DesktopApi;
  }
}

let host: HostApi | null = null;

/** The one way the renderer reaches its host, whichever host that is. */
export function getHost(): HostApi {
  if (host === null) {
    host = window.nmfHost ?? createWebHostClient();
    if (window.nmfDesktop) installDesktopIntegration(window.nmfDesktop);
  }
  return host;
}
