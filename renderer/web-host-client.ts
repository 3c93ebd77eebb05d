import { HOST_METHODS, type HostApi, type HostMethod, type JobEvent, type SeparationModel } from '../app/host-api.js';
import { littleEndianFloat32, unpackFloats } from '../app/packed-floats.js';

/**
 * HostApi over the local web host's protocol: `POST /api/<method>` with a JSON array of arguments
 * (openFile: the raw bytes, name in X-File-Name), and JobEvents pushed on the WebSocket
 * `/api/events`. The page's cookie carries the session token; a token in `baseUrl`'s query is sent
 * as a Bearer header (and on the socket URL) for callers that have no cookie.
 */
export function createWebHostClient(baseUrl?: string): HostApi {
  const base = new URL(baseUrl ?? globalThis.location.href);
  const token = base.searchParams.get('token');
  const endpoint = (path: string): URL => new URL(path, base.origin);

  async function call(method: HostMethod, body: BodyInit, headers: Record<string, string>): Promise<Response> {
    if (token !== null) headers['Authorization'] = `Bearer ${token}`;
    const response = await fetch(endpoint(`/api/${method}`), { method: 'POST', body, headers, credentials: 'same-origin' });
    if (!response.ok) throw new Error(await errorFrom(response, method));
    return response;
  }
  const callJson = async <T>(method: HostMethod, ...args: readonly unknown[]): Promise<T> =>
    (await (await call(method, JSON.stringify(args), { 'Content-Type': 'application/json' })).json()) as T;
  const callBytes = async (method: HostMethod, ...args: readonly unknown[]): Promise<ArrayBuffer> =>
    (await call(method, JSON.stringify(args), { 'Content-Type': 'application/json' })).arrayBuffer();

  const socketUrl = endpoint('/api/events');
  socketUrl.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
  if (token !== null) socketUrl.searchParams.set('token', token);
  const events = new EventStream(socketUrl.href);

  const client: HostApi = {
    openFile: async (name, bytes) =>
      (await call('openFile', bytes, { 'Content-Type': 'application/octet-stream', 'X-File-Name': encodeURIComponent(name) })).json(),
    startJob: async (params) => {
      // Listeners must be connected before the job exists, or its first (or only) events are lost.
      await events.ready();
      return callJson('startJob', params);
    },
    cancelJob: async (jobId) => {
      await callJson<null>('cancelJob', jobId);
    },
    getResult: (jobId) => callJson('getResult', jobId),
    getSourceAudio: (jobId, sourceIndex) => callBytes('getSourceAudio', jobId, sourceIndex),
    getAbundanceMap: async (jobId, endmemberIndex) => abundanceMap(await callBytes('getAbundanceMap', jobId, endmemberIndex)),
    exportResult: (jobId) => callJson('exportResult', jobId),
    getSeparationModel: async (jobId) => {
      const { header, arrays } = unpackFloats<Omit<SeparationModel, 'spectra' | 'activations'>>(await callBytes('getSeparationModel', jobId), 'getSeparationModel');
      if (arrays.length !== 2) throw new Error('getSeparationModel: malformed reply (expected W and H)');
      return { ...header, spectra: arrays[0]!, activations: arrays[1]! };
    },
    regroupSources: (jobId, assignment) => callJson('regroupSources', jobId, assignment),
    renameEndmembers: (jobId, names) => callJson('renameEndmembers', jobId, names),
    onJobEvent: (listener) => events.subscribe(listener),
  };
  // Guards the mapping above against drifting from the method list both transports share.
  for (const method of HOST_METHODS) if (typeof client[method] !== 'function') throw new Error(`web client lacks ${method}`);
  return client;
}

async function errorFrom(response: Response, method: string): Promise<string> {
  try {
    const body = (await response.json()) as { error?: unknown };
    if (typeof body.error === 'string') return body.error;
  } catch {
    // Not JSON: fall through to the status line.
  }
  return `${method} failed: HTTP ${response.status} ${response.statusText}`;
}

function abundanceMap(buffer: ArrayBuffer): Float32Array {
  if (buffer.byteLength % 4 !== 0) throw new Error('abundance map: byte length is not a multiple of 4');
  return littleEndianFloat32(buffer);
}

/**
 * One WebSocket shared by all listeners: opened on the first subscription, reopened (with a
 * growing delay) while anyone still listens, closed when the last listener leaves.
 */
class EventStream {
  private readonly listeners = new Set<(event: JobEvent) => void>();
  private socket: WebSocket | null = null;
  private opened: Promise<void> | null = null;
  private retryDelayMs = 250;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly url: string) {}

  subscribe(listener: (event: JobEvent) => void): () => void {
    this.listeners.add(listener);
    this.connect();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.disconnect();
    };
  }

  /** Resolves once the socket is open (at once when nobody listens: there is nothing to miss). */
  ready(): Promise<void> {
    if (this.listeners.size === 0) return Promise.resolve();
    this.connect();
    return this.opened ?? Promise.resolve();
  }

  private connect(): void {
    if (this.socket !== null || this.retryTimer !== null) return;
    const socket = new WebSocket(this.url);
    this.socket = socket;
    this.opened = new Promise((resolve) => {
      socket.addEventListener('open', () => {
        this.retryDelayMs = 250;
        resolve();
      });
      // A failed connection must not hold startJob forever; the reconnect below keeps trying.
      socket.addEventListener('close', () => resolve());
    });
    socket.addEventListener('message', (message) => {
      if (typeof message.data !== 'string') return;
      let event: JobEvent;
      try {
        event = JSON.parse(message.data) as JobEvent;
      } catch {
        return; // The host only sends JSON; anything else is not an event.
      }
      for (const listener of [...this.listeners]) listener(event);
    });
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.listeners.size === 0) return;
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.connect();
      }, this.retryDelayMs);
      this.retryDelayMs = Math.min(this.retryDelayMs * 2, 5000);
    });
  }

  private disconnect(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const socket = this.socket;
    this.socket = null;
    this.opened = null;
    socket?.close();
  }
}
