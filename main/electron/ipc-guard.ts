/**
 * The main process's side of IPC: every message is checked before anything acts on it. Electron's
 * security checklist item 17 ("Validate the sender of all IPC messages",
 * https://www.electronjs.org/docs/latest/tutorial/security#17-validate-the-sender-of-all-ipc-messages):
 * the sending frame must be the top frame of a page served from app://nmf-studio; then the
 * arguments go through the same validation as the web host's (app/host-api-validation.ts).
 * Plain module: ipcMain is a parameter, so test/unit/ipc-validation.test.ts drives it without Electron.
 */
import { validateHostCall } from '../../app/host-api-validation.js';
import { HOST_METHODS, type ExportResult, type HostApi, type HostMethod } from '../../app/host-api.js';
import { DESKTOP_IPC, hostChannel } from './ipc-channels.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'nmf-studio';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** What the checks read of an Electron IpcMainEvent / IpcMainInvokeEvent. */
export interface IpcSenderEvent {
  readonly senderFrame?: { readonly url: string; readonly parent: unknown } | null;
  /** The sending WebContents (opaque here; the entry hands it to the file opener). */
  readonly sender?: unknown;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcSenderEvent, ...args: unknown[]) => unknown): void;
  on(channel: string, listener: (event: IpcSenderEvent, ...args: unknown[]) => void): void;
}

export class UntrustedSenderError extends Error {
  constructor(channel: string, url: string) {
    super(`IPC on '${channel}' from an untrusted frame refused (${url === '' ? 'no frame' : url})`);
    this.name = 'UntrustedSenderError';
  }
}

/** True for app://nmf-studio/… exactly: no other host, no user info, no port. */
export function isAppUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
}

export function assertTrustedSender(event: IpcSenderEvent, channel: string): void {
  const frame = event.senderFrame ?? null;
  const url = frame?.url ?? '';
  // A subframe could be anything the page embedded; only the app's own top frame may talk.
  if (frame === null || frame.parent !== null || !isAppUrl(url)) throw new UntrustedSenderError(channel, url);
}

/**
 * Structured clone may deliver binary payloads as a typed array rather than an ArrayBuffer (and a
 * Node Buffer becomes a Uint8Array); the shared validation expects the ArrayBuffer HostApi declares.
 */
function asArrayBuffer(value: unknown): unknown {
  if (value instanceof ArrayBuffer || !ArrayBuffer.isView(value)) return value;
  return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
}

export function validateIpcHostCall<M extends HostMethod>(method: M, args: readonly unknown[]): Parameters<HostApi[M]> {
  const normalized = method === 'openFile' && args.length === 2 ? [args[0], asArrayBuffer(args[1])] : args;
  return validateHostCall(method, normalized);
}

export interface HostIpcOptions {
  /** Replaces HostApi.exportResult: the desktop asks where to save (export-dialog.ts). */
  readonly exportResult?: (event: IpcSenderEvent, jobId: string) => Promise<ExportResult>;
}

/** One handler per HOST_METHODS channel: sender check, argument validation, then the host. */
export function registerHostIpc(ipcMain: IpcMainLike, host: HostApi, options: HostIpcOptions = {}): void {
  for (const method of HOST_METHODS) {
    const channel = hostChannel(method);
    ipcMain.handle(channel, (event: IpcSenderEvent, ...args: unknown[]) => {
      assertTrustedSender(event, channel);
      const valid = validateIpcHostCall(method, args);
      if (method === 'exportResult' && options.exportResult) return options.exportResult(event, valid[0] as string);
      return (host[method] as (...a: unknown[]) => unknown)(...(valid as unknown[]));
    });
  }
}

export interface DesktopIpcHandlers {
  /** The page listens for opened files now. */
  ready(event: IpcSenderEvent): void;
  /** Reads a file the user dropped, by the path the preload got from webUtils.getPathForFile. */
  readDropped(path: string): Promise<{ name: string; bytes: ArrayBuffer }>;
}

/** A dropped file's path: absolute, no NUL, not absurdly long (it still has to exist, see file-opener.ts). */
export function validateDroppedPath(value: unknown): string {
  if (typeof value !== 'string' || value === '' || value.length > 32_768 || value.includes('\0')) {
    throw new Error('readDropped: the path must be a non-empty string without NUL');
  }
  if (!(value.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(value) || value.startsWith('\\\\'))) {
    throw new Error(`readDropped: ${value} is not an absolute path`);
  }
  return value;
}

export function registerDesktopIpc(ipcMain: IpcMainLike, handlers: DesktopIpcHandlers, onRefused: (error: Error) => void = () => {}): void {
  ipcMain.on(DESKTOP_IPC.ready, (event: IpcSenderEvent) => {
    try {
      assertTrustedSender(event, DESKTOP_IPC.ready);
    } catch (error) {
      // A send has nobody to answer: report and drop it.
      onRefused(error as Error);
      return;
    }
    handlers.ready(event);
  });
  ipcMain.handle(DESKTOP_IPC.readDropped, (event: IpcSenderEvent, ...args: unknown[]) => {
    assertTrustedSender(event, DESKTOP_IPC.readDropped);
    if (args.length !== 1) throw new Error(`readDropped takes 1 argument, got ${args.length}`);
    return handlers.readDropped(validateDroppedPath(args[0]));
  });
}
