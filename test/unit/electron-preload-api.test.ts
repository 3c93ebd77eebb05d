import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import type { DesktopApi } from '../../app/desktop-api.js';
import { HOST_METHODS, type HostApi, type JobEvent } from '../../app/host-api.js';
import { DESKTOP_IPC, INVOKE_CHANNELS, JOB_EVENT_IPC, LISTEN_CHANNELS, SEND_CHANNELS } from '../../main/electron/ipc-channels.js';
import { registerHostIpc, type IpcSenderEvent } from '../../main/electron/ipc-guard.js';
import { hostErrorMessage } from '../../main/electron/preload-api.js';
import { createApiRoutes } from '../../main/serve/api-routes.js';
import { createWebHostClient } from '../../renderer/web-host-client.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The preload exactly as scripts/build.mjs bundles it (CommonJS, 'electron' external), run in a
 * fresh context whose only module is a fake 'electron': what the sandbox allows a preload.
 */
async function bundledPreload(): Promise<string> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ['main/electron/preload.ts'],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['electron'],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

type Handler = (event: unknown, ...args: unknown[]) => void;

function fakeElectron(invoke: (channel: string, ...args: unknown[]) => Promise<unknown>, paths = new Map<object, string>()) {
  const exposed = new Map<string, unknown>();
  const listeners = new Map<string, Set<Handler>>();
  const sent: string[] = [];
  const ipcRenderer = {
    invoke,
    send: (channel: string) => void sent.push(channel),
    on(channel: string, handler: Handler) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(handler);
      return ipcRenderer;
    },
    removeListener(channel: string, handler: Handler) {
      listeners.get(channel)?.delete(handler);
      return ipcRenderer;
    },
  };
  const electron = {
    contextBridge: { exposeInMainWorld: (name: string, api: unknown) => void exposed.set(name, api) },
    ipcRenderer,
    webUtils: {
      getPathForFile(file: object): string {
        if (!paths.has(file)) throw new TypeError('not a File');
        return paths.get(file)!;
      },
    },
  };
  /** Plays a main → page message; the fake IpcRendererEvent carries ipcRenderer, as Electron's does. */
  const push = (channel: string, payload: unknown): void => {
    for (const handler of listeners.get(channel) ?? []) handler({ sender: ipcRenderer }, payload);
  };
  return { electron, exposed, listeners, sent, push };
}

async function loadPreload(fake: ReturnType<typeof fakeElectron>): Promise<{ required: string[] }> {
  const code = await bundledPreload();
  const required: string[] = [];
  const module = { exports: {} };
  runInNewContext(code, {
    module,
    exports: module.exports,
    ArrayBuffer,
    require(name: string) {
      required.push(name);
      if (name === 'electron') return fake.electron;
      throw new Error(`a sandboxed preload cannot require '${name}'`);
    },
  });
  return { required };
}

const TRUSTED: IpcSenderEvent = { senderFrame: { url: 'app://nmf-studio/index.html', parent: null } };
const SAMPLE_ARGS: Record<string, unknown[]> = {
  openFile: ['mix.wav', new ArrayBuffer(4)],
  startJob: [{ kind: 'unmix', fileId: 'file-1', endmembers: 3 }],
  getSourceAudio: ['job-1', 1],
  getAbundanceMap: ['job-1', 0],
  regroupSources: ['job-1', [0, 1, 0]],
  renameEndmembers: ['job-1', ['soil', 'water']],
};

describe('Electron preload', () => {
  it('requires nothing but electron and exposes nmfHost and nmfDesktop only', async () => {
    const fake = fakeElectron(async () => null);
    const { required } = await loadPreload(fake);
    assert.deepEqual([...new Set(required)], ['electron']);
    assert.deepEqual([...fake.exposed.keys()], ['nmfHost', 'nmfDesktop']);
    for (const api of fake.exposed.values()) {
      for (const [name, value] of Object.entries(api as object)) assert.equal(typeof value, 'function', `${name} is a function, nothing else crosses`);
    }
  });

  it('implements the same HostApi as the web host: one typed definition, both transports', async () => {
    const fake = fakeElectron(async () => null);
    await loadPreload(fake);
    const preloadHost = fake.exposed.get('nmfHost') as HostApi;
    const webClient = createWebHostClient('http://127.0.0.1:1/?token=t');
    const expected = [...HOST_METHODS, 'onJobEvent'].sort();
    assert.deepEqual(Object.keys(preloadHost).sort(), expected, 'preload');
    assert.deepEqual(Object.keys(webClient).sort(), expected, 'web client');
    const routes = createApiRoutes(webClient, 1024);
    assert.deepEqual([...routes.keys()].sort(), [...HOST_METHODS].sort(), 'web host routes');
    // And the preload's channel list is that same list.
    assert.deepEqual(INVOKE_CHANNELS.filter((c) => c.startsWith('host:')).sort(), HOST_METHODS.map((m) => `host:${m}`).sort());
  });

  it('every method travels over its own channel to the main process’s handler and back', async () => {
    const handlers = new Map<string, (event: IpcSenderEvent, ...args: unknown[]) => unknown>();
    const calls: { method: string; args: unknown[] }[] = [];
    const host = Object.fromEntries(HOST_METHODS.map((m) => [m, async (...args: unknown[]) => (calls.push({ method: m, args }), `${m} done`)])) as unknown as HostApi;
    registerHostIpc({ handle: (c, l) => void handlers.set(c, l), on: () => {} }, host);
    const invoked: string[] = [];
    const fake = fakeElectron(async (channel, ...args) => {
      invoked.push(channel);
      // Structured clone on the way, as Electron's IPC does.
      return handlers.get(channel)!(TRUSTED, ...structuredClone(args));
    });
    await loadPreload(fake);
    const preloadHost = fake.exposed.get('nmfHost') as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    for (const method of HOST_METHODS) {
      const args = SAMPLE_ARGS[method] ?? ['job-1'];
      assert.equal(await preloadHost[method]!(...args), `${method} done`);
    }
    assert.deepEqual(invoked, HOST_METHODS.map((m) => `host:${m}`));
    assert.deepEqual(calls.map((c) => c.method), [...HOST_METHODS]);
    assert.ok(calls[0]!.args[1] instanceof ArrayBuffer);
  });

  it('gives the page the host’s own error message, without Electron’s prefix', async () => {
    const fake = fakeElectron(async (channel) => {
      throw new Error(`Error invoking remote method '${channel}': Error: mix.wav: not a RIFF/WAVE file`);
    });
    await loadPreload(fake);
    const preloadHost = fake.exposed.get('nmfHost') as HostApi;
    await assert.rejects(preloadHost.getResult('job-1'), { message: 'mix.wav: not a RIFF/WAVE file' });
    assert.equal(hostErrorMessage("Error invoking remote method 'host:startJob': HostCallError: startJob: bad"), 'startJob: bad');
    assert.equal(hostErrorMessage('plain message'), 'plain message');
  });

  it('job events reach the page as the payload alone, never with the IPC event', async () => {
    const fake = fakeElectron(async () => null);
    await loadPreload(fake);
    const preloadHost = fake.exposed.get('nmfHost') as HostApi;
    const received: unknown[][] = [];
    const unsubscribe = preloadHost.onJobEvent((...args: unknown[]) => void received.push(args));
    const event: JobEvent = { type: 'cancelled', jobId: 'job-1' };
    fake.push(JOB_EVENT_IPC, event);
    assert.deepEqual(received, [[event]]);
    unsubscribe();
    fake.push(JOB_EVENT_IPC, event);
    assert.equal(received.length, 1, 'unsubscribed');
    assert.equal(fake.listeners.get(JOB_EVENT_IPC)!.size, 0);
  });

  it('desktop API: opened files, drops by path only, menu commands; allow-listed channels only', async () => {
    const dropped = {};
    const invoked: unknown[][] = [];
    const fake = fakeElectron(async (...args) => (invoked.push(args), { name: 'cube.img', bytes: new Uint8Array([1, 2]) }), new Map([[dropped, '/data/cube.hdr']]));
    await loadPreload(fake);
    const desktop = fake.exposed.get('nmfDesktop') as DesktopApi;

    const files: unknown[] = [];
    desktop.onOpenFile((file) => void files.push(file));
    assert.deepEqual(fake.sent, [DESKTOP_IPC.ready], 'subscribing asks for the files that waited');
    fake.push(DESKTOP_IPC.openFile, { name: 'mix.wav', bytes: new Uint8Array([7, 8, 9]).buffer });
    fake.push(DESKTOP_IPC.openFile, { name: 42, bytes: new ArrayBuffer(1) });
    fake.push(DESKTOP_IPC.openFile, 'junk');
    assert.equal(files.length, 1, 'malformed payloads are dropped');
    assert.deepEqual([...new Uint8Array((files[0] as { bytes: ArrayBuffer }).bytes)], [7, 8, 9]);

    assert.equal(desktop.pathForFile(dropped), '/data/cube.hdr');
    assert.equal(desktop.pathForFile({}), '', 'a made-up object has no path');
    await assert.rejects(desktop.readDroppedFile({}), /no path/);
    assert.equal(invoked.length, 0, 'nothing asked of the main process for a file without a path');
    const read = await desktop.readDroppedFile(dropped);
    assert.deepEqual(invoked, [[DESKTOP_IPC.readDropped, '/data/cube.hdr']]);
    assert.equal(read.name, 'cube.img');
    assert.ok(read.bytes instanceof ArrayBuffer);

    const commands: string[] = [];
    desktop.onMenuCommand((command) => void commands.push(command));
    fake.push(DESKTOP_IPC.menu, 'export');
    fake.push(DESKTOP_IPC.menu, 'format-disk');
    assert.deepEqual(commands, ['export']);

    for (const channel of fake.listeners.keys()) assert.ok(LISTEN_CHANNELS.includes(channel), channel);
    for (const channel of fake.sent) assert.ok(SEND_CHANNELS.includes(channel), channel);
    for (const [channel] of invoked) assert.ok(INVOKE_CHANNELS.includes(channel as string), String(channel));
  });
});
