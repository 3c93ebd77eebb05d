import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { HOST_METHODS, type HostApi, type JobEvent, type JobParams, type OpenedFile, type SeparationModel, type UnmixResult } from '../../app/host-api.js';
import { unpackFloats } from '../../app/packed-floats.js';
import { startWebHost, type WebHost } from '../../main/serve/web-host.js';
import { tokensEqual } from '../../main/serve/token.js';

/** A small finished unmixing, as the fake host's getResult and renameEndmembers return it. */
function fakeUnmixResult(jobId: string, algorithm: string): UnmixResult {
  return {
    kind: 'unmix',
    summary: { jobId, input: 'cube.tif', kind: 'cube', loss: 'frobenius', algorithm, iterations: 10, objective: 1.5, seconds: 0.1 },
    rows: 1,
    cols: 3,
    bands: 2,
    wavelengths: null,
    wavelengthUnits: null,
    endmembers: [[1, 2]],
    abundanceRanges: [{ min: 0, max: 1 }],
    clippedNegatives: 0,
  };
}

/** An in-memory HostApi that records what reached it and lets the test push events. */
function createFakeHost() {
  const calls: { method: string; args: unknown[] }[] = [];
  const listeners = new Set<(event: JobEvent) => void>();
  const knownJob = (jobId: string): void => {
    if (jobId !== 'job-1') throw new Error(`unknown job: ${jobId}`);
  };
  const host: HostApi = {
    async openFile(name, bytes) {
      calls.push({ method: 'openFile', args: [name, bytes.byteLength] });
      const opened: OpenedFile = {
        fileId: 'file-1',
        name,
        byteLength: bytes.byteLength,
        summary: { kind: 'audio', sampleRate: 16000, channels: 1, frames: 16000, durationSeconds: 1, bitDepth: 16, float: false },
      };
      return opened;
    },
    async startJob(params: JobParams) {
      calls.push({ method: 'startJob', args: [params] });
      if (params.fileId !== 'file-1') throw new Error(`unknown file: ${params.fileId}`);
      return { jobId: 'job-1' };
    },
    async cancelJob(jobId) {
      calls.push({ method: 'cancelJob', args: [jobId] });
      knownJob(jobId);
    },
    async getResult(jobId) {
      calls.push({ method: 'getResult', args: [jobId] });
      knownJob(jobId);
      return fakeUnmixResult(jobId, 'mu');
    },
    async getSourceAudio(jobId, sourceIndex) {
      calls.push({ method: 'getSourceAudio', args: [jobId, sourceIndex] });
      knownJob(jobId);
      return new TextEncoder().encode('RIFF----WAVE').buffer;
    },
    async getAbundanceMap(jobId, endmemberIndex) {
      calls.push({ method: 'getAbundanceMap', args: [jobId, endmemberIndex] });
      knownJob(jobId);
      return new Float32Array([0.25, 0.5, 1.5]);
    },
    async exportResult(jobId) {
      calls.push({ method: 'exportResult', args: [jobId] });
      knownJob(jobId);
      return { files: ['/tmp/out/a.wav'] };
    },
    async getSeparationModel(jobId) {
      calls.push({ method: 'getSeparationModel', args: [jobId] });
      knownJob(jobId);
      const model: SeparationModel = {
        sampleRate: 16000,
        windowSize: 4,
        hop: 2,
        bins: 3,
        frames: 2,
        components: 2,
        spectra: new Float32Array([1, 2, 3, 4, 5, 6]),
        activations: new Float32Array([0.5, 0.25, 0.125, 2]),
        assignment: [1, 0],
        sourceNames: ['source-1', 'source-2'],
      };
      return model;
    },
    async regroupSources(jobId, assignment) {
      calls.push({ method: 'regroupSources', args: [jobId, assignment] });
      knownJob(jobId);
      return {
        kind: 'separate',
        summary: { jobId, input: 'mix.wav', kind: 'audio', loss: 'kl', algorithm: 'cd', iterations: 10, objective: 1.5, seconds: 0.1 },
        sampleRate: 16000,
        channels: 1,
        sources: [
          { name: 'source-1', energyShare: 0.5 },
          { name: 'source-2', energyShare: 0.5 },
        ],
        mixtureResidual: 0,
      };
    },
    async renameEndmembers(jobId, names) {
      calls.push({ method: 'renameEndmembers', args: [jobId, names] });
      knownJob(jobId);
      return { ...fakeUnmixResult(jobId, 'hals'), endmemberNames: [...names] };
    },
    onJobEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const emit = (event: JobEvent): void => listeners.forEach((listener) => listener(event));
  return { host, calls, listeners, emit };
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Raw HTTP (not fetch): the path goes out exactly as written and Host can be forged. */
function send(port: number, options: { method?: string; path?: string; headers?: Record<string, string>; body?: Buffer | string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path ?? '/', headers: options.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const SECRET = 'TOP-SECRET-OUTSIDE-RENDERER';
const INDEX = '<!doctype html><title>NMF</title><p>index page</p>';

describe('web host', () => {
  let dir: string;
  let web: WebHost;
  let fake: ReturnType<typeof createFakeHost>;
  let auth: Record<string, string>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nmf-web-host-'));
    await mkdir(join(dir, 'renderer'));
    await writeFile(join(dir, 'renderer', 'index.html'), INDEX);
    await writeFile(join(dir, 'renderer', 'app.js'), 'export {};\n');
    await writeFile(join(dir, 'secret.txt'), SECRET);
    await writeFile(join(dir, 'package.json'), SECRET);
    await symlink(join(dir, 'secret.txt'), join(dir, 'renderer', 'link.txt'));
    fake = createFakeHost();
    web = await startWebHost({ host: fake.host, port: 0, rendererDir: join(dir, 'renderer'), maxUploadBytes: 1024 });
    auth = { authorization: `Bearer ${web.token}` };
  });
  after(async () => {
    await web.close();
    await rm(dir, { recursive: true, force: true });
  });

  const post = (method: string, args: unknown, headers: Record<string, string> = {}): Promise<Reply> =>
    send(web.port, { method: 'POST', path: `/api/${method}`, headers: { ...auth, 'content-type': 'application/json', ...headers }, body: JSON.stringify(args) });

  it('serves its URL on 127.0.0.1 with a 64-hex-digit token', () => {
    assert.match(web.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
    assert.equal(web.url, `http://127.0.0.1:${web.port}/?token=${web.token}`);
  });

  it('refuses requests without a token or with a wrong one (401)', async () => {
    assert.equal((await send(web.port, { path: '/' })).status, 401);
    assert.equal((await send(web.port, { path: '/?token=' + '0'.repeat(64) })).status, 401);
    assert.equal((await send(web.port, { path: '/?token=short' })).status, 401);
    assert.equal((await send(web.port, { path: '/', headers: { cookie: 'nmf_token=nope' } })).status, 401);
    assert.equal((await send(web.port, { path: '/', headers: { authorization: 'Bearer nope' } })).status, 401);
    const api = await send(web.port, { method: 'POST', path: '/api/getResult', body: '["job-1"]' });
    assert.equal(api.status, 401);
    assert.equal(fake.calls.length, 0, 'nothing reached the host');
  });

  it('serves the page for the token in the query, sets the cookie and the isolation + CSP headers', async () => {
    const reply = await send(web.port, { path: `/?token=${web.token}` });
    assert.equal(reply.status, 200);
    assert.equal(reply.body.toString(), INDEX);
    assert.match(String(reply.headers['content-type']), /^text\/html/);
    assert.deepEqual(reply.headers['set-cookie'], [`nmf_token=${web.token}; HttpOnly; SameSite=Strict; Path=/`]);
    assert.equal(reply.headers['cross-origin-opener-policy'], 'same-origin');
    assert.equal(reply.headers['cross-origin-embedder-policy'], 'require-corp');
    assert.equal(reply.headers['cross-origin-resource-policy'], 'same-origin');
    assert.equal(reply.headers['x-content-type-options'], 'nosniff');
    const csp = String(reply.headers['content-security-policy']);
    for (const directive of [
      "default-src 'self'",
      "script-src 'self' 'wasm-unsafe-eval'",
      "worker-src 'self' blob:",
      "style-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
      `connect-src 'self' ws://127.0.0.1:${web.port} ws://localhost:${web.port}`,
    ]) {
      assert.ok(csp.includes(directive), `CSP has ${directive}`);
    }
  });

  it('accepts the cookie and the Bearer header', async () => {
    const byCookie = await send(web.port, { path: '/app.js', headers: { cookie: `other=1; nmf_token=${web.token}` } });
    assert.equal(byCookie.status, 200);
    assert.match(String(byCookie.headers['content-type']), /^text\/javascript/);
    assert.equal(byCookie.headers['cross-origin-embedder-policy'], 'require-corp');
    assert.equal(byCookie.headers['set-cookie'], undefined, 'no cookie unless the token came in the query');
    assert.equal((await send(web.port, { path: '/index.html', headers: auth })).status, 200);
  });

  it('refuses a foreign Host header (DNS rebinding) and a foreign Origin (403)', async () => {
    assert.equal((await send(web.port, { path: '/', headers: { ...auth, host: `evil.example:${web.port}` } })).status, 403);
    assert.equal((await send(web.port, { path: '/', headers: { ...auth, host: `127.0.0.1:${web.port + 1}` } })).status, 403);
    assert.equal((await send(web.port, { path: '/', headers: { ...auth, host: `localhost:${web.port}` } })).status, 200);
    assert.equal((await post('getResult', ['job-1'], { origin: 'http://evil.example' })).status, 403);
    assert.equal((await post('getResult', ['job-1'], { origin: `http://127.0.0.1:${web.port + 1}` })).status, 403);
    assert.equal((await post('getResult', ['job-1'], { origin: 'null' })).status, 403);
    assert.equal((await post('getResult', ['job-1'], { origin: `http://localhost:${web.port}` })).status, 200);
    assert.equal((await post('getResult', ['job-1'], { origin: `http://127.0.0.1:${web.port}` })).status, 200);
  });

  it('never serves files outside the renderer folder', async () => {
    const attempts = [
      '/../package.json',
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2e%2e/',
      '/..%2fsecret.txt',
      '/..%2f..%2fetc/passwd',
      '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/..\\secret.txt',
      '/%5c..%5csecret.txt',
      '/..%5csecret.txt',
      '//etc/passwd',
      '/%2fetc%2fpasswd',
      `/${encodeURIComponent(join(dir, 'secret.txt'))}`,
      '/index.html%00.js',
      '/%E0%A4%A',
      '/C:/Windows/win.ini',
    ];
    for (const path of attempts) {
      const reply = await send(web.port, { path, headers: auth });
      assert.ok(reply.status === 400 || reply.status === 404, `${path} → ${reply.status}`);
      assert.ok(!reply.body.toString().includes(SECRET), `${path} leaked a file`);
    }
    const viaSymlink = await send(web.port, { path: '/link.txt', headers: auth });
    assert.equal(viaSymlink.status, 404, 'a symlink out of the folder is not followed');
    assert.ok(!viaSymlink.body.toString().includes(SECRET));
    assert.equal((await send(web.port, { path: '/missing.js', headers: auth })).status, 404);
    assert.equal((await send(web.port, { path: '/', headers: auth })).body.toString(), INDEX);
    assert.equal((await send(web.port, { path: '/', method: 'POST', headers: auth })).status, 405);
  });

  it('routes every HOST_METHODS name to the host', async () => {
    fake.calls.length = 0;
    const opened = await send(web.port, {
      method: 'POST',
      path: '/api/openFile',
      headers: { ...auth, 'x-file-name': encodeURIComponent('mix ü.wav'), 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(100, 1),
    });
    assert.equal(opened.status, 200);
    assert.equal((JSON.parse(opened.body.toString()) as OpenedFile).name, 'mix ü.wav');

    const started = await post('startJob', [{ kind: 'separate', fileId: 'file-1', sources: 2, components: 4, maxIter: 50 }]);
    assert.deepEqual(JSON.parse(started.body.toString()), { jobId: 'job-1' });

    const cancelled = await post('cancelJob', ['job-1']);
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.toString(), 'null');

    const result = await post('getResult', ['job-1']);
    assert.equal((JSON.parse(result.body.toString()) as { kind: string }).kind, 'unmix');

    const audio = await post('getSourceAudio', ['job-1', 1]);
    assert.equal(audio.headers['content-type'], 'audio/wav');
    assert.equal(audio.body.toString(), 'RIFF----WAVE');

    const map = await post('getAbundanceMap', ['job-1', 0]);
    assert.equal(map.headers['content-type'], 'application/octet-stream');
    assert.deepEqual([0, 4, 8].map((offset) => map.body.readFloatLE(offset)), [0.25, 0.5, 1.5]);

    const exported = await post('exportResult', ['job-1']);
    assert.deepEqual(JSON.parse(exported.body.toString()), { files: ['/tmp/out/a.wav'] });

    const model = await post('getSeparationModel', ['job-1']);
    assert.equal(model.headers['content-type'], 'application/octet-stream');
    const packed = model.body.buffer.slice(model.body.byteOffset, model.body.byteOffset + model.body.byteLength) as ArrayBuffer;
    const { header, arrays } = unpackFloats<{ assignment: number[]; bins: number }>(packed, 'model');
    assert.deepEqual(header.assignment, [1, 0]);
    assert.equal(header.bins, 3);
    assert.deepEqual(arrays.map((a) => [...a]), [[1, 2, 3, 4, 5, 6], [0.5, 0.25, 0.125, 2]]);

    const regrouped = await post('regroupSources', ['job-1', [0, 0]]);
    assert.equal((JSON.parse(regrouped.body.toString()) as { kind: string }).kind, 'separate');
    assert.equal((await post('regroupSources', ['job-1', [0, -1]])).status, 400);
    assert.equal((await post('regroupSources', ['job-1', []])).status, 400);

    const renamed = await post('renameEndmembers', ['job-1', ['soil']]);
    assert.equal(renamed.status, 200);
    assert.deepEqual((JSON.parse(renamed.body.toString()) as { endmemberNames: string[] }).endmemberNames, ['soil']);
    // Refused before the host: blank, too long, control characters, not strings, wrong arity.
    for (const bad of [['job-1', ['']], ['job-1', ['x'.repeat(65)]], ['job-1', ['a\nb']], ['job-1', [7]], ['job-1', 'soil'], ['job-1']]) {
      const refused = await post('renameEndmembers', bad);
      assert.equal(refused.status, 400, JSON.stringify(bad));
    }

    assert.deepEqual(
      fake.calls.map((c) => c.method),
      [...HOST_METHODS],
    );
    assert.deepEqual(fake.calls[0]!.args, ['mix ü.wav', 100]);
    assert.deepEqual(fake.calls[1]!.args, [{ kind: 'separate', fileId: 'file-1', sources: 2, components: 4, maxIter: 50 }]);
    assert.deepEqual(fake.calls[4]!.args, ['job-1', 1]);
  });

  it('answers unknown methods, bad arguments and host errors with JSON errors', async () => {
    const unknown = await post('deleteEverything', []);
    assert.equal(unknown.status, 404);
    assert.match((JSON.parse(unknown.body.toString()) as { error: string }).error, /unknown API method/);
    assert.equal((await post('onJobEvent', [])).status, 404);
    assert.equal((await post('constructor', [])).status, 404);
    assert.equal((await post('__proto__', [])).status, 404);
    assert.equal((await send(web.port, { path: '/api/getResult', headers: auth })).status, 405);

    const missingJob = await post('getResult', ['job-404']);
    assert.equal(missingJob.status, 404);
    assert.deepEqual(JSON.parse(missingJob.body.toString()), { error: 'unknown job: job-404' });

    const missingFile = await post('startJob', [{ kind: 'unmix', fileId: 'file-404', endmembers: 3 }]);
    assert.equal(missingFile.status, 404);
    assert.deepEqual(JSON.parse(missingFile.body.toString()), { error: 'unknown file: file-404' });

    assert.equal((await post('getResult', [])).status, 400);
    assert.equal((await post('getResult', [42])).status, 400);
    assert.equal((await post('getSourceAudio', ['job-1', -1])).status, 400);
    assert.equal((await post('getSourceAudio', ['job-1', 0.5])).status, 400);
    assert.equal((await post('startJob', [{ kind: 'explode', fileId: 'file-1' }])).status, 400);
    assert.equal((await post('startJob', [{ kind: 'unmix', fileId: 'file-1', endmembers: '3' }])).status, 400);
    assert.equal((await post('startJob', [{ kind: 'unmix', fileId: 'file-1', endmembers: 3, extra: true }])).status, 400);
    assert.equal((await post('startJob', { kind: 'unmix', fileId: 'file-1', endmembers: 3 })).status, 400);
    const badJson = await send(web.port, { method: 'POST', path: '/api/getResult', headers: auth, body: '{nope' });
    assert.equal(badJson.status, 400);
    assert.match(String(badJson.headers['content-type']), /application\/json/);
    const noName = await send(web.port, { method: 'POST', path: '/api/openFile', headers: auth, body: 'RIFF' });
    assert.equal(noName.status, 400);
    // Still alive after all that.
    assert.equal((await post('getResult', ['job-1'])).status, 200);
  });

  it('refuses uploads over the limit with 413, declared or streamed', async () => {
    const headers = { ...auth, 'x-file-name': 'big.wav' };
    const declared = await send(web.port, { method: 'POST', path: '/api/openFile', headers, body: Buffer.alloc(4096) });
    assert.equal(declared.status, 413);
    const streamed = await send(web.port, { method: 'POST', path: '/api/openFile', headers: { ...headers, 'transfer-encoding': 'chunked' }, body: Buffer.alloc(64 * 1024) });
    assert.equal(streamed.status, 413);
    assert.equal((await send(web.port, { method: 'POST', path: '/api/openFile', headers, body: Buffer.alloc(1024) })).status, 200);
  });

  it('rejects the event socket without a token and pushes events with one', async () => {
    const wsUrl = `ws://127.0.0.1:${web.port}/api/events`;
    const rejected = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(wsUrl);
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.on('open', () => reject(new Error('opened without a token')));
      ws.on('error', () => {});
    });
    assert.equal(rejected, 401);

    const foreign = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${wsUrl}?token=${web.token}`, { origin: 'http://evil.example' });
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.on('error', () => {});
    });
    assert.equal(foreign, 403);

    const before = fake.listeners.size;
    const ws = new WebSocket(wsUrl, { headers: { cookie: `nmf_token=${web.token}` }, origin: `http://127.0.0.1:${web.port}` });
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => resolve());
      ws.on('error', reject);
    });
    assert.equal(fake.listeners.size, before + 1);
    const received = new Promise<JobEvent>((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)) as JobEvent)));
    const event: JobEvent = { type: 'progress', jobId: 'job-1', stage: 'factorizing', fraction: 0.5, iteration: 10, objective: 2, elapsedSeconds: 1 };
    fake.emit(event);
    assert.deepEqual(await received, event);
    ws.close();
    await new Promise((resolve) => ws.once('close', resolve));
    // The server sees the close a moment later.
    for (let i = 0; i < 50 && fake.listeners.size !== before; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(fake.listeners.size, before, 'unsubscribed on close');
  });
});

describe('tokensEqual', () => {
  it('accepts the same token and refuses any other, whatever its length', () => {
    const token = 'a'.repeat(64);
    assert.equal(tokensEqual(token, token), true);
    assert.equal(tokensEqual(token, 'a'.repeat(63) + 'b'), false);
    assert.equal(tokensEqual(token, ''), false);
    assert.equal(tokensEqual(token, 'a'), false);
    assert.equal(tokensEqual(token, 'a'.repeat(1000)), false);
    assert.equal(tokensEqual('', ''), true);
    assert.doesNotThrow(() => tokensEqual(token, 'ü'.repeat(3)));
  });
});
