/**
 * The two objects the sandboxed preload hands the page through contextBridge: `nmfHost` (HostApi,
 * one method per HOST_METHODS entry, each on its own IPC channel) and `nmfDesktop` (DesktopApi).
 * Plain module: it receives ipcRenderer and webUtils as parameters, so it can be tested without
 * Electron (test/unit/electron-preload-api.test.ts); preload.ts is the only part that imports them.
 *
 * Rules from Electron's security checklist (https://www.electronjs.org/docs/latest/tutorial/security,
 * "17. Validate the sender of all IPC messages" is the main process's half): the page gets functions
 * only, never ipcRenderer or an IpcRendererEvent (whose `sender` is ipcRenderer itself), and the
 * preload talks on the allow-listed channels of ipc-channels.ts only.
 */
import type { DesktopApi, DesktopFile, MenuCommand } from '../../app/desktop-api.js';
import { MENU_COMMANDS } from '../../app/desktop-api.js';
import { HOST_METHODS, type HostApi, type JobEvent } from '../../app/host-api.js';
import { DESKTOP_IPC, hostChannel, INVOKE_CHANNELS, JOB_EVENT_IPC, LISTEN_CHANNELS, SEND_CHANNELS } from './ipc-channels.js';

type IpcListener = (event: unknown, ...args: unknown[]) => void;

/** The part of Electron's ipcRenderer the preload uses. */
export interface PreloadIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  send(channel: string, ...args: unknown[]): void;
  on(channel: string, listener: IpcListener): unknown;
  removeListener(channel: string, listener: IpcListener): unknown;
}

/** The part of Electron's webUtils the preload uses. */
export interface PreloadWebUtils {
  getPathForFile(file: never): string;
}

/**
 * Electron prefixes a rejected invoke's message with "Error invoking remote method '<channel>':
 * Error:"; the page shows these messages to people, who need only the host's own words.
 */
export function hostErrorMessage(message: string): string {
  return message.replace(/^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/, '');
}

function guardedIpc(ipc: PreloadIpc) {
  const allowed = (list: readonly string[], channel: string): void => {
    if (!list.includes(channel)) throw new Error(`IPC channel '${channel}' is not on the allow-list`);
  };
  return {
    async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
      allowed(INVOKE_CHANNELS, channel);
      try {
        return await ipc.invoke(channel, ...args);
      } catch (error) {
        // Duck-typed: the rejection may come from another realm, where instanceof Error fails.
        const message = (error as { message?: unknown } | null)?.message;
        throw new Error(hostErrorMessage(typeof message === 'string' ? message : String(error)));
      }
    },
    send(channel: string): void {
      allowed(SEND_CHANNELS, channel);
      ipc.send(channel);
    },
    /** Subscribes to a push channel; the page's listener sees the payload only. */
    listen(channel: string, listener: (payload: unknown) => void): () => void {
      allowed(LISTEN_CHANNELS, channel);
      const handler: IpcListener = (_event, payload) => listener(payload);
      ipc.on(channel, handler);
      return () => void ipc.removeListener(channel, handler);
    },
  };
}

export function createPreloadHost(ipc: PreloadIpc): HostApi {
  const guarded = guardedIpc(ipc);
  const methods = Object.fromEntries(
    HOST_METHODS.map((method) => [method, (...args: unknown[]) => guarded.invoke(hostChannel(method), ...args)]),
  ) as Omit<HostApi, 'onJobEvent'>;
  return {
    ...methods,
    onJobEvent(listener: (event: JobEvent) => void): () => void {
      return guarded.listen(JOB_EVENT_IPC, (payload) => listener(payload as JobEvent));
    },
  };
}

/** What arrives on the openFile channel, checked: the main process is trusted, but not blindly. */
function desktopFile(payload: unknown): DesktopFile | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const { name, bytes } = payload as { name?: unknown; bytes?: unknown };
  if (typeof name !== 'string') return null;
  if (bytes instanceof ArrayBuffer) return { name, bytes };
  if (ArrayBuffer.isView(bytes)) return { name, bytes: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer };
  return null;
}

export function createPreloadDesktop(ipc: PreloadIpc, webUtils: PreloadWebUtils): DesktopApi {
  const guarded = guardedIpc(ipc);
  const pathForFile = (file: object): string => {
    try {
      return webUtils.getPathForFile(file as never) ?? '';
    } catch {
      return ''; // not a File: it has no path
    }
  };
  return {
    onOpenFile(listener) {
      const unsubscribe = guarded.listen(DESKTOP_IPC.openFile, (payload) => {
        const file = desktopFile(payload);
        if (file) listener(file);
      });
      // Files named before the page listened (command line, open-file at launch) come now.
      guarded.send(DESKTOP_IPC.ready);
      return unsubscribe;
    },
    pathForFile,
    async readDroppedFile(file) {
      const path = pathForFile(file);
      if (path === '') throw new Error('this file has no path on disk');
      const read = desktopFile(await guarded.invoke(DESKTOP_IPC.readDropped, path));
      if (!read) throw new Error(`${path}: the shell returned no file`);
      return read;
    },
    onMenuCommand(listener) {
      return guarded.listen(DESKTOP_IPC.menu, (payload) => {
        if ((MENU_COMMANDS as readonly unknown[]).includes(payload)) listener(payload as MenuCommand);
      });
    },
  };
}
