import type { HostApi } from '../app/host-api.js';
import { createWebHostClient } from './web-host-client.js';

declare global {
  interface Window {
    /** Set by the Electron preload (contextBridge); absent when the page is served by the web host. */
    readonly nmfHost?: HostApi;
  }
}

let host: HostApi | null = null;

/** The one way the renderer reaches its host, whichever host that is. */
export function getHost(): HostApi {
  host ??= window.nmfHost ?? createWebHostClient();
  return host;
}
