import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { encodeWav } from '../../app/audio/wav-codec.js';
import type { OpenedFile } from '../../app/host-api.js';
import { createSessionHost } from '../../main/host/session-host.js';
import { createToken, tokensEqual } from '../../main/serve/token.js';
import { startWebHost, type WebHost } from '../../main/serve/web-host.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** One raw HTTP exchange; the request line and headers go out exactly as written. */
function rawHttp(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // write, not end: a half-closed socket may be dropped before a slower (file) reply is sent.
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let reply = '';
    socket.on('data', (chunk) => (reply += chunk.toString('latin1')));
    socket.on('end', () => resolve(reply));
    socket.on('error', reject);
  });
}

function statusOf(reply: string): number {
  return Number(/^HTTP\/1\.[01] (\d{3})/.exec(reply)?.[1] ?? 0);
}

function upgradeStatus(url: string, options: { headers?: Record<string, string>; origin?: string } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

describe('session token', () => {
  it('is 256 random bits, fresh every time', () => {
    const tokens = new Set(Array.from({ length: 50 }, () => createToken()));
    assert.equal(tokens.size, 50);
    for (const token of tokens) assert.match(token, /^[0-9a-f]{64}$/);
  });

  it('is compared with timingSafeEqual on equal-length buffers, whatever was presented', () => {
    const spy = mock.method(crypto, 'timingSafeEqual');
    // Named imports of built-ins are live bindings to the CommonJS exports once synced.
    syncBuiltinESMExports();
    try {
      const expected = createToken();
      const presented = [expected, expected.slice(0, 63), '', 'x', expected + 'x', 'ü'.repeat(70), '0'.repeat(64)];
      const answers = presented.map((p) => tokensEqual(expected, p));
      assert.deepEqual(answers, [true, false, false, false, false, false, false]);
      assert.equal(spy.mock.callCount(), presented.length, 'every comparison goes through timingSafeEqual');
      for (const call of spy.mock.calls) {
        const [a, b] = call.arguments as unknown as [Buffer, Buffer];
        assert.ok(Buffer.isBuffer(a) && Buffer.isBuffer(b));
        assert.equal(a.length, b.length, 'equal lengths: timingSafeEqual never throws and the length leaks nothing');
        assert.equal(a.length, 32);
      }
    } finally {
      spy.mock.restore();
      syncBuiltinESMExports();
    }
  });
});

describe('web host hardening', () => {
  let dir: string;
  let web: WebHost;
  let exportDir: string;
  const host = () => createSessionHost({ exportDir });
  let session: ReturnType<typeof host>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nmf-web-hardening-'));
    exportDir = join(dir, 'exports');
    await mkdir(join(dir, 'renderer'));
    await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html><title>x</title>');
    session = host();
    web = await startWebHost({ host: session, port: 0, rendererDir: join(dir, 'renderer'), maxUploadBytes: 1024 * 1024 });
  });
  after(async () => {
    await web.close();
    await session.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 only', { skip: process.platform !== 'linux' && 'other loopback addresses route to 127.0.0.1 only on Linux' }, async () => {
    const refused = await new Promise<string>((resolve) => {
      const socket = connect(web.port, '127.0.0.2', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    assert.equal(refused, 'ECONNREFUSED');
  });

  it('refuses a missing or foreign Host (DNS rebinding) before looking at the token', async () => {
    const t = web.token;
    const cases: [string, number][] = [
      [`GET /?token=${t} HTTP/1.0\r\n\r\n`, 403],
      [`GET /?token=${t} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, 403],
      [`GET /?token=${t} HTTP/1.1\r\nHost: rebind.example:${web.port}\r\nConnection: close\r\n\r\n`, 403],
      [`GET /?token=${t} HTTP/1.1\r\nHost: 127.0.0.1:${web.port}.rebind.example\r\nConnection: close\r\n\r\n`, 403],
      [`GET /?token=${t} HTTP/1.1\r\nHost: [::1]:${web.port}\r\nConnection: close\r\n\r\n`, 403],
      [`GET /?token=${t} HTTP/1.1\r\nHost: LOCALHOST:${web.port}\r\nConnection: close\r\n\r\n`, 200],
      [`GET / HTTP/1.1\r\nHost: 127.0.0.1:${web.port}\r\nConnection: close\r\n\r\n`, 401],
    ];
    for (const [text, status] of cases) assert.equal(statusOf(await rawHttp(web.port, text)), status, text.split('\r\n').slice(0, 2).join(' | '));
  });

  it('a refused request never learns the token', async () => {
    for (const text of [`GET / HTTP/1.1\r\nHost: 127.0.0.1:${web.port}\r\nConnection: close\r\n\r\n`, `GET /?token=${'f'.repeat(64)} HTTP/1.1\r\nHost: evil:${web.port}\r\nConnection: close\r\n\r\n`]) {
      const reply = await rawHttp(web.port, text);
      assert.ok(!reply.includes(web.token));
      assert.ok(!/set-cookie/i.test(reply));
    }
  });

  it('the event socket needs the token and our Host/Origin too', async () => {
    const url = `ws://127.0.0.1:${web.port}/api/events`;
    assert.equal(await upgradeStatus(url), 401);
    assert.equal(await upgradeStatus(`${url}?token=${'0'.repeat(64)}`), 401);
    assert.equal(await upgradeStatus(url, { headers: { authorization: 'Bearer nope' } }), 401);
    assert.equal(await upgradeStatus(`${url}?token=${web.token}`, { headers: { host: `rebind.example:${web.port}` } }), 403);
    assert.equal(await upgradeStatus(`${url}?token=${web.token}`, { origin: 'https://evil.example' }), 403);
    assert.equal(await upgradeStatus(`ws://127.0.0.1:${web.port}/other?token=${web.token}`), 404);
    assert.equal(await upgradeStatus(`${url}?token=${web.token}`, { origin: `http://127.0.0.1:${web.port}` }), 101);
  });

  it('offers no way to read a path: files come in as uploaded bytes only', async () => {
    for (const method of ['openPath', 'readFile', 'readDropped', 'exportWith', 'waitForJob', 'dispose']) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port: web.port, method: 'POST', path: `/api/${method}`, headers: { authorization: `Bearer ${web.token}`, 'content-type': 'application/json' } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify(['/etc/passwd']));
      });
      assert.equal(status, 404, method);
    }
  });

  it('an upload named like a path is opened under its base name, and its export stays in the export folder', { skip: !existsSync(join(ROOT, 'dist', 'native-workers', 'node-worker.js')) && 'needs the built compute worker (npm run build)' }, async () => {
    const rate = 8000;
    const samples = Float32Array.from({ length: rate / 2 }, (_, i) => 0.4 * Math.sin((2 * Math.PI * 440 * i) / rate) + 0.3 * Math.sin((2 * Math.PI * 1250 * i) / rate));
    const wav = encodeWav({ sampleRate: rate, channels: [samples] }, 'pcm16');
    const api = (method: string, body: Buffer | string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port: web.port, method: 'POST', path: `/api/${method}`, headers: { authorization: `Bearer ${web.token}`, ...headers } },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const opened = await api('openFile', Buffer.from(wav), { 'x-file-name': encodeURIComponent('../../../escape.wav') });
    assert.equal(opened.status, 200, opened.body);
    const file = JSON.parse(opened.body) as OpenedFile;
    assert.equal(file.name, 'escape.wav');
    const started = await api('startJob', JSON.stringify([{ kind: 'separate', fileId: file.fileId, sources: 2, components: 2, maxIter: 5 }]));
    const { jobId } = JSON.parse(started.body) as { jobId: string };
    const final = await session.waitForJob(jobId);
    assert.equal(final.type, 'done', JSON.stringify(final));
    const exported = await api('exportResult', JSON.stringify([jobId]));
    const { files } = JSON.parse(exported.body) as { files: string[] };
    assert.equal(files.length, 2);
    for (const path of files) assert.equal(dirname(path), exportDir, path);
    assert.deepEqual((await readdir(dir)).sort(), ['exports', 'renderer'], 'nothing written beside the export folder');
  });
});
