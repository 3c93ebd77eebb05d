/**
 * Sandboxed preload: exposes the HostApi to the page as `window.nmfHost` through contextBridge,
 * one IPC channel per method of HOST_METHODS (the allow-list) and one push channel for job
 * events. The page gets functions only, never ipcRenderer itself.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { HOST_METHODS, JOB_EVENT_CHANNEL, type HostApi, type JobEvent } from '../../app/host-api.js';

const api = Object.fromEntries(
  HOST_METHODS.map((method) => [method, (...args: unknown[]) => ipcRenderer.invoke(`host:${method}`, ...args)]),
) as Omit<HostApi, 'onJobEvent'>;

const host: HostApi = {
  ...api,
  onJobEvent(listener: (event: JobEvent) => void): () => void {
    const channel = `host:${JOB_EVENT_CHANNEL}`;
    const handler = (_event: IpcRendererEvent, jobEvent: JobEvent): void => listener(jobEvent);
    ipcRenderer.on(channel, handler);
    return () => ipcRenderer.off(channel, handler);
  },
};

contextBridge.exposeInMainWorld('nmfHost', host);
