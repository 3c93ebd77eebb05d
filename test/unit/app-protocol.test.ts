import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { appUrlPath, createAppProtocolHandler, resolveAppFile } from '../../main/electron/app-protocol.js';
import { containedPath } from '../../main/host/contained-path.js';

const SECRET = 'SECRET-OUTSIDE-THE-RENDERER';
const INDEX = '<!doctype html><title>NMF Studio</title>';
const WASM = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

/** Paths (as Chromium could hand them over, before or without normalization) that must never leave the folder. */
const ESCAPES = [
  '/../secret.txt',
  '/../../etc/passwd',
  '/%2e%2e/secret.txt',
  '/%2E%2E/secret.txt',
  '/%2e%2e%2fsecret.txt',
  '/..%2fsecret.txt',
  '/..%2f..%2f..%2fetc%2fpasswd',
  '/sub/../../secret.txt',
  '/sub/%2e%2e/%2e%2e/secret.txt',
  '/.%2e/secret.txt',
  '/..\\secret.txt',
  '/%5c..%5csecret.txt',
  '/..%5csecret.txt',
  '/sub\\..\\..\\secret.txt',
  '//etc/passwd',
  '/%2fetc%2fpasswd',
  '/C:/Windows/win.ini',
  '/C%3a%5cWindows%5cwin.ini',
  '/c:secret.txt',
  '/index.html%00.js',
  '/%00',
  '/%E0%A4%A',
  '/%',
];

describe('app:// path containment', () => {
  let dir: string;
  let rendererDir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nmf-app-protocol-'));
    rendererDir = join(dir, 'renderer');
    await mkdir(join(rendererDir, 'sub'), { recursive: true });
    await writeFile(join(rendererDir, 'index.html'), INDEX);
    await writeFile(join(rendererDir, 'app.js'), 'export {};\n');
    await writeFile(join(rendererDir, 'sub', 'kernels.wasm'), WASM);
    await writeFile(join(rendererDir, '%2e%2e'), 'a file literally named %2e%2e');
    await writeFile(join(dir, 'secret.txt'), SECRET);
    await symlink(join(dir, 'secret.txt'), join(rendererDir, 'link.txt'));
    await symlink(dir, join(rendererDir, 'linkdir'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('containedPath refuses every escape and maps plain paths inside the folder', () => {
    for (const path of ESCAPES) {
      const mapped = containedPath(rendererDir, path);
      assert.ok(mapped === null || mapped.startsWith(rendererDir + sep), `${path} → ${mapped}`);
      if (mapped !== null) assert.ok(!mapped.endsWith(`${sep}secret.txt`) || mapped.startsWith(join(rendererDir, 'sub')), `${path} → ${mapped}`);
    }
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/..\\secret.txt', '/sub\\..\\..\\secret.txt', '/sub%5c..%5c..%5csecret.txt', '/index.html%00.js', '/C:/Windows/win.ini', '/%E0%A4%A']) {
      assert.equal(containedPath(rendererDir, path), null, path);
    }
    // Extra leading slashes are stripped: an "absolute" URL path is still inside the folder.
    assert.equal(containedPath(rendererDir, '//etc/passwd'), join(rendererDir, 'etc', 'passwd'));
    assert.equal(containedPath(rendererDir, '/%2fetc%2fpasswd'), join(rendererDir, 'etc', 'passwd'));
    assert.equal(containedPath(rendererDir, '/'), join(rendererDir, 'index.html'));
    assert.equal(containedPath(rendererDir, ''), join(rendererDir, 'index.html'));
    assert.equal(containedPath(rendererDir, '/sub/kernels.wasm'), join(rendererDir, 'sub', 'kernels.wasm'));
    assert.equal(containedPath(rendererDir, '/sub/../app.js'), join(rendererDir, 'app.js'), '.. that stays inside is fine');
    // Decoded once: a double-encoded dot-dot is a name, not a step up.
    assert.equal(containedPath(rendererDir, '/%252e%252e'), join(rendererDir, '%2e%2e'));
  });

  it('appUrlPath accepts app://nmf-studio/ only and keeps the raw path', () => {
    assert.equal(appUrlPath('app://nmf-studio/index.html?x=1#y'), '/index.html');
    assert.equal(appUrlPath('app://nmf-studio/%2e%2e/x'), '/%2e%2e/x');
    for (const url of ['app://evil/index.html', 'app://nmf-studio.evil/index.html', 'app://nmf-studio@evil/', 'app://nmf-studio:80/index.html', 'file:///etc/passwd', 'https://nmf-studio/index.html', 'app://nmf-studio']) {
      assert.equal(appUrlPath(url), null, url);
    }
  });

  it('resolveAppFile never reaches a file outside the folder, symlinks included', () => {
    for (const path of ESCAPES) {
      const found = resolveAppFile(rendererDir, `app://nmf-studio${path}`);
      assert.ok('status' in found, `${path} resolved to ${'path' in found ? found.path : ''}`);
    }
    assert.deepEqual(resolveAppFile(rendererDir, 'app://nmf-studio/link.txt'), { status: 404 }, 'a symlink out of the folder');
    assert.deepEqual(resolveAppFile(rendererDir, 'app://nmf-studio/linkdir/secret.txt'), { status: 404 }, 'a folder symlink out of the folder');
    assert.deepEqual(resolveAppFile(rendererDir, 'app://nmf-studio/sub'), { status: 404 }, 'a folder is not a file');
    assert.deepEqual(resolveAppFile(rendererDir, 'app://nmf-studio/missing.js'), { status: 404 });
    assert.deepEqual(resolveAppFile(rendererDir, 'app://nmf-studio/../secret.txt'), { status: 400 });
    assert.deepEqual(resolveAppFile(rendererDir, 'app://other/index.html'), { status: 404 });
    assert.ok('path' in resolveAppFile(rendererDir, 'app://nmf-studio/index.html'));
  });

  it('the handler answers escapes with 400/404 and never with the secret', async () => {
    const handle = createAppProtocolHandler({ rendererDir });
    for (const path of ESCAPES) {
      // Request parses (and may normalize) the URL, as Chromium does before the handler runs.
      let request: Request;
      try {
        request = new Request(`app://nmf-studio${path}`);
      } catch {
        continue; // not even a URL: Chromium would not deliver it
      }
      const response = await handle(request);
      const body = await response.text();
      assert.ok(response.status === 400 || response.status === 404, `${path} → ${response.status}`);
      assert.ok(!body.includes(SECRET), `${path} leaked the secret`);
      assert.equal(response.headers.get('cross-origin-embedder-policy'), 'require-corp', 'errors are isolated too');
    }
  });

  it('serves the page with COOP/COEP and a CSP whose only relaxation is wasm-unsafe-eval', async () => {
    const handle = createAppProtocolHandler({ rendererDir });
    const response = await handle(new Request('app://nmf-studio/index.html'));
    assert.equal(response.status, 200);
    assert.equal(await response.text(), INDEX);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(response.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(response.headers.get('cross-origin-embedder-policy'), 'require-corp');
    assert.equal(response.headers.get('cross-origin-resource-policy'), 'same-origin');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    const csp = response.headers.get('content-security-policy') ?? '';
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
    assert.deepEqual(directives.get('default-src'), ["'self'"]);
    assert.deepEqual(directives.get('script-src'), ["'self'", "'wasm-unsafe-eval'"]);
    assert.deepEqual(directives.get('object-src'), ["'none'"]);
    assert.deepEqual(directives.get('base-uri'), ["'none'"]);
    assert.deepEqual(directives.get('frame-ancestors'), ["'none'"]);
    assert.deepEqual(directives.get('connect-src'), ["'self'"], 'the desktop page connects nowhere else');
    assert.ok(!/'unsafe-eval'|'unsafe-inline'|\*/.test(csp), csp);

    const root = await handle(new Request('app://nmf-studio/'));
    assert.equal(await root.text(), INDEX);
    const script = await handle(new Request('app://nmf-studio/app.js?v=1'));
    assert.match(script.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(script.headers.get('content-security-policy'), null, 'CSP is the document’s');
    assert.equal(script.headers.get('cross-origin-embedder-policy'), 'require-corp', 'workers and scripts are isolated too');
    const wasm = await handle(new Request('app://nmf-studio/sub/kernels.wasm'));
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');
    assert.deepEqual(new Uint8Array(await wasm.arrayBuffer()), WASM);
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const handle = createAppProtocolHandler({ rendererDir });
    const head = await handle(new Request('app://nmf-studio/index.html', { method: 'HEAD' }));
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    const post = await handle(new Request('app://nmf-studio/index.html', { method: 'POST', body: 'x' }));
    assert.equal(post.status, 405);
  });
});
