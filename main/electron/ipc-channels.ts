/**
 * Every IPC channel between the Electron main process and the preload, derived from the one typed
 * definition of the API (HOST_METHODS in app/host-api.ts, which the web host's routes are built
 * from too) plus the desktop-only channels of app/desktop-api.ts. The preload invokes nothing
 * outside this list and the main process handles nothing outside it.
 */
import { HOST_METHODS, JOB_EVENT_CHANNEL, type HostMethod } from '../../app/host-api.js';

export type HostChannel = `host:${HostMethod}`;

export function hostChannel<M extends HostMethod>(method: M): `host:${M}` {
  return `host:${method}`;
}

/** Request/response channels of HostApi, one per method. */
export const HOST_CHANNELS: readonly HostChannel[] = HOST_METHODS.map(hostChannel);

/** Main → page: every JobEvent. */
export const JOB_EVENT_IPC = `host:${JOB_EVENT_CHANNEL}` as const;

/** The desktop-only channels (DesktopApi). */
export const DESKTOP_IPC = {
  /** Page → main (send): the page listens for opened files; flush the ones waiting. */
  ready: 'desktop:ready',
  /** Main → page: a file the user opened through the OS (DesktopFile). */
  openFile: 'desktop:openFile',
  /** Page → main (invoke): read a dropped file by its path. */
  readDropped: 'desktop:readDropped',
  /** Main → page: a menu command (MenuCommand). */
  menu: 'desktop:menu',
} as const;

/** Channels the page may invoke (request/response). */
export const INVOKE_CHANNELS: readonly string[] = [...HOST_CHANNELS, DESKTOP_IPC.readDropped];
/** Channels the page may send on (no response). */
export const SEND_CHANNELS: readonly string[] = [DESKTOP_IPC.ready];
/** Channels the page may listen on. */
export const LISTEN_CHANNELS: readonly string[] = [JOB_EVENT_IPC, DESKTOP_IPC.openFile, DESKTOP_IPC.menu];
