import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HostCallError, validateHostCall } from '../../app/host-api-validation.js';
import { HOST_METHODS, type HostApi, type HostMethod } from '../../app/host-api.js';
import { DESKTOP_IPC, HOST_CHANNELS, hostChannel } from '../../main/electron/ipc-channels.js';
import {
  assertTrustedSender,
  isAppUrl,
  registerDesktopIpc,
  registerHostIpc,
  UntrustedSenderError,
  validateDroppedPath,
  type IpcSenderEvent,
} from '../../main/electron/ipc-guard.js';

type Listener = (event: IpcSenderEvent, ...args: unknown[]) => unknown;

/** Records what ipcMain.handle/on were given; `invoke` plays a message from a chosen frame. */
function fakeIpcMain() {
  const handlers = new Map<string, Listener>();
  const listeners = new Map<string, Listener>();
  return {
    handlers,
    listeners,
    handle(channel: string, listener: Listener) {
      assert.ok(!handlers.has(channel), `${channel} registered twice`);
      handlers.set(channel, listener);
    },
    on(channel: string, listener: Listener) {
      listeners.set(channel, listener);
    },
    async invoke(channel: string, event: IpcSenderEvent, ...args: unknown[]): Promise<unknown> {
      const handler = handlers.get(channel);
      if (!handler) throw new Error(`no handler for ${channel}`);
      return handler(event, ...args);
    },
  };
}

/** A HostApi whose every method records its arguments. */
function recordingHost() {
  const calls: { method: string; args: unknown[] }[] = [];
  const host = Object.fromEntries(
    HOST_METHODS.map((method) => [
      method,
      async (...args: unknown[]) => {
        calls.push({ method, args });
        return { answeredBy: method };
      },
    ]),
  ) as unknown as HostApi;
  (host as { onJobEvent: HostApi['onJobEvent'] }).onJobEvent = () => () => {};
  return { host, calls };
}

const frame = (url: string, parent: unknown = null) => ({ senderFrame: { url, parent } });
const TRUSTED = frame('app://nmf-studio/index.html');

const UNTRUSTED: readonly [string, IpcSenderEvent][] = [
  ['no frame (navigated away or destroyed)', { senderFrame: null }],
  ['no senderFrame at all', {}],
  ['a subframe of the app', frame('app://nmf-studio/index.html', { url: 'app://nmf-studio/index.html' })],
  ['a web page', frame('https://evil.example/')],
  ['a local file', frame('file:///home/user/evil.html')],
  ['another app:// host', frame('app://evil/index.html')],
  ['a look-alike host', frame('app://nmf-studio.evil/index.html')],
  ['user info in the URL', frame('app://nmf-studio@evil/index.html')],
  ['about:blank', frame('about:blank')],
  ['a data: URL', frame('data:text/html,<script>1</script>')],
  ['an empty URL', frame('')],
];

/** Arguments each method accepts, as the renderer sends them. */
const VALID: Partial<Record<HostMethod, unknown[]>> = {
  openFile: ['mix.wav', new ArrayBuffer(8)],
  startJob: [{ kind: 'separate', fileId: 'file-1', sources: 2, components: 4 }],
  cancelJob: ['job-1'],
  getResult: ['job-1'],
  getSourceAudio: ['job-1', 0],
  getAbundanceMap: ['job-1', 2],
  exportResult: ['job-1'],
  renameEndmembers: ['job-1', ['soil', 'water']],
};

/** Arguments every method must refuse. */
const INVALID: readonly unknown[][] = [
  [],
  [42],
  [null],
  [{ toString: () => 'job-1' }],
  ['x'.repeat(100_000)],
  ['job-1', 'job-1', 'job-1', 'job-1'],
];

describe('IPC sender validation', () => {
  it('isAppUrl accepts app://nmf-studio/… only', () => {
    assert.equal(isAppUrl('app://nmf-studio/index.html'), true);
    assert.equal(isAppUrl('app://nmf-studio/'), true);
    for (const [, event] of UNTRUSTED) if (event.senderFrame) assert.equal(isAppUrl(event.senderFrame.url) && event.senderFrame.parent === null, false, event.senderFrame.url);
    assert.equal(isAppUrl('app://nmf-studio:8080/'), false);
    assert.equal(isAppUrl('not a url'), false);
  });

  it('assertTrustedSender refuses every frame but the app’s top frame', () => {
    assert.doesNotThrow(() => assertTrustedSender(TRUSTED, 'host:getResult'));
    for (const [what, event] of UNTRUSTED) assert.throws(() => assertTrustedSender(event, 'host:getResult'), UntrustedSenderError, what);
  });

  it('registers exactly one handler per HOST_METHODS channel', () => {
    const ipc = fakeIpcMain();
    registerHostIpc(ipc, recordingHost().host);
    assert.deepEqual([...ipc.handlers.keys()].sort(), [...HOST_CHANNELS].sort());
    assert.deepEqual(HOST_CHANNELS, HOST_METHODS.map((m) => `host:${m}`));
    assert.equal(ipc.listeners.size, 0);
  });

  it('an untrusted sender reaches no host method, whatever the arguments', async () => {
    const ipc = fakeIpcMain();
    const { host, calls } = recordingHost();
    registerHostIpc(ipc, host, { exportResult: async () => assert.fail('export dialog reached') });
    for (const method of HOST_METHODS) {
      for (const [what, event] of UNTRUSTED) {
        await assert.rejects(ipc.invoke(hostChannel(method), event, ...(VALID[method] ?? ['job-1'])), UntrustedSenderError, `${method} from ${what}`);
      }
    }
    assert.equal(calls.length, 0);
  });

  it('a trusted call reaches the host exactly when the shared validation accepts its arguments', async () => {
    for (const method of HOST_METHODS) {
      const argLists = [...(VALID[method] ? [VALID[method]!] : []), ...INVALID];
      for (const args of argLists) {
        const ipc = fakeIpcMain();
        const { host, calls } = recordingHost();
        registerHostIpc(ipc, host);
        let expected: unknown[] | Error;
        try {
          expected = [...validateHostCall(method, args)];
        } catch (error) {
          expected = error as Error;
        }
        if (expected instanceof Error) {
          await assert.rejects(ipc.invoke(hostChannel(method), TRUSTED, ...args), HostCallError, `${method}(${String(args)})`);
          assert.equal(calls.length, 0, `${method} reached the host with bad arguments`);
        } else {
          assert.deepEqual(await ipc.invoke(hostChannel(method), TRUSTED, ...args), { answeredBy: method });
          assert.deepEqual(calls, [{ method, args: expected }]);
        }
      }
    }
  });

  it('every known method accepts its sample arguments and refuses the bad ones', async () => {
    const ipc = fakeIpcMain();
    const { host, calls } = recordingHost();
    registerHostIpc(ipc, host);
    for (const [method, args] of Object.entries(VALID) as [HostMethod, unknown[]][]) {
      await ipc.invoke(hostChannel(method), TRUSTED, ...args);
    }
    assert.deepEqual(calls.map((c) => c.method), Object.keys(VALID));
    const bad: [HostMethod, unknown[]][] = [
      ['openFile', ['mix.wav', 'not bytes']],
      ['openFile', ['', new ArrayBuffer(1)]],
      ['openFile', ['mix.wav']],
      ['startJob', [{ kind: 'separate', fileId: 'file-1', sources: 2, components: 4, extra: 'field' }]],
      ['startJob', [{ kind: 'separate', fileId: 'file-1', sources: 4, components: 2 }]],
      ['startJob', [{ kind: 'rm -rf', fileId: 'file-1' }]],
      ['startJob', [JSON.parse('{"kind":"unmix","fileId":"f","endmembers":3,"__proto__":{"polluted":true}}')]],
      ['getSourceAudio', ['job-1', -1]],
      ['getSourceAudio', ['job-1', 1.5]],
      ['getAbundanceMap', ['job-1', '0']],
      ['cancelJob', [['job-1']]],
    ];
    calls.length = 0;
    for (const [method, args] of bad) await assert.rejects(ipc.invoke(hostChannel(method), TRUSTED, ...args), HostCallError, `${method} ${JSON.stringify(args)}`);
    assert.equal(calls.length, 0);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('openFile bytes that arrive as a typed array reach the host as the exact ArrayBuffer', async () => {
    const ipc = fakeIpcMain();
    const { host, calls } = recordingHost();
    registerHostIpc(ipc, host);
    const pool = new Uint8Array([9, 9, 1, 2, 3, 9]);
    await ipc.invoke('host:openFile', TRUSTED, 'mix.wav', pool.subarray(2, 5));
    const bytes = calls[0]!.args[1];
    assert.ok(bytes instanceof ArrayBuffer);
    assert.deepEqual([...new Uint8Array(bytes)], [1, 2, 3]);
  });

  it('exportResult goes to the desktop export (save dialog) after the same checks', async () => {
    const ipc = fakeIpcMain();
    const { host, calls } = recordingHost();
    const exported: string[] = [];
    registerHostIpc(ipc, host, { exportResult: async (_event, jobId) => (exported.push(jobId), { files: ['/chosen/a.wav'] }) });
    assert.deepEqual(await ipc.invoke('host:exportResult', TRUSTED, 'job-7'), { files: ['/chosen/a.wav'] });
    await assert.rejects(ipc.invoke('host:exportResult', TRUSTED, 7), HostCallError);
    await assert.rejects(ipc.invoke('host:exportResult', frame('https://evil.example/'), 'job-7'), UntrustedSenderError);
    assert.deepEqual(exported, ['job-7']);
    assert.equal(calls.length, 0, 'the host’s own exportResult (no dialog) is not used');
  });
});

describe('desktop IPC validation', () => {
  it('ready is honoured from the app’s top frame only', () => {
    const ipc = fakeIpcMain();
    const ready: IpcSenderEvent[] = [];
    const refused: Error[] = [];
    registerDesktopIpc(ipc, { ready: (event) => void ready.push(event), readDropped: async () => assert.fail() }, (error) => refused.push(error));
    const listener = ipc.listeners.get(DESKTOP_IPC.ready)!;
    for (const [, event] of UNTRUSTED) listener(event);
    assert.equal(ready.length, 0);
    assert.equal(refused.length, UNTRUSTED.length);
    listener(TRUSTED);
    assert.deepEqual(ready, [TRUSTED]);
  });

  it('readDropped takes one absolute path from the app’s top frame', async () => {
    const ipc = fakeIpcMain();
    const read: string[] = [];
    registerDesktopIpc(ipc, { ready: () => {}, readDropped: async (path) => (read.push(path), { name: 'x', bytes: new ArrayBuffer(0) }) });
    await ipc.invoke(DESKTOP_IPC.readDropped, TRUSTED, '/home/user/cube.hdr');
    await ipc.invoke(DESKTOP_IPC.readDropped, TRUSTED, 'C:\\Users\\me\\mix.wav');
    for (const [what, event] of UNTRUSTED) await assert.rejects(ipc.invoke(DESKTOP_IPC.readDropped, event, '/etc/passwd'), UntrustedSenderError, what);
    for (const args of [[], ['relative/path.wav'], ['../../etc/passwd'], ['/etc/passwd\0.wav'], [42], [['/a']], ['/a', '/b'], ['']]) {
      await assert.rejects(ipc.invoke(DESKTOP_IPC.readDropped, TRUSTED, ...args), Error, JSON.stringify(args));
    }
    assert.deepEqual(read, ['/home/user/cube.hdr', 'C:\\Users\\me\\mix.wav']);
    assert.throws(() => validateDroppedPath('x'.repeat(40_000)));
  });
});
