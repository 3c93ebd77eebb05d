/**
 * The app:// protocol that serves the renderer's files in place of file:// (Electron security
 * checklist item 18, "Avoid usage of the file:// protocol and prefer usage of custom protocols"):
 * only files inside the renderer folder, by the same path rules as the web host
 * (main/host/contained-path.ts), with symlinks resolved and still required to stay inside. Every
 * response carries COOP + COEP (cross-origin isolation: SharedArrayBuffer for the worker pool) and
 * HTML the strict CSP whose only addition is 'wasm-unsafe-eval' (main/host/security-headers.ts).
 * Plain module: Electron's protocol.handle receives the returned function (test/unit/app-protocol.test.ts).
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { containedPath, isInsideRoot } from '../host/contained-path.js';
import { contentType, ISOLATION_HEADERS, rendererCsp } from '../host/security-headers.js';
import { APP_ORIGIN } from './ipc-guard.js';

/**
 * The file operations used. Electron's asar support patches the synchronous node:fs calls
 * (realpathSync, statSync, readFileSync), so the packaged renderer is read from inside app.asar.
 */
export interface AppProtocolFs {
  realpath(path: string): string;
  isFile(path: string): boolean;
  readFile(path: string): Uint8Array;
}

const nodeFs: AppProtocolFs = {
  realpath: (path) => realpathSync(path),
  isFile: (path) => statSync(path).isFile(),
  readFile: (path) => readFileSync(path),
};

export interface AppProtocolOptions {
  /** The built renderer (index.html, app.js, …). */
  readonly rendererDir: string;
  readonly fs?: AppProtocolFs;
}

/** The raw path of an app://nmf-studio/… URL, query and fragment removed; null for any other origin. */
export function appUrlPath(url: string): string | null {
  if (!url.startsWith(`${APP_ORIGIN}/`)) return null;
  const rest = url.slice(APP_ORIGIN.length);
  const end = rest.search(/[?#]/);
  return end < 0 ? rest : rest.slice(0, end);
}

/** The file an app:// URL names, or an HTTP status saying why there is none. */
export function resolveAppFile(rendererDir: string, url: string, fs: AppProtocolFs = nodeFs): { path: string } | { status: 400 | 404 } {
  const rawPath = appUrlPath(url);
  if (rawPath === null) return { status: 404 };
  const candidate = containedPath(rendererDir, rawPath);
  if (candidate === null) return { status: 400 };
  try {
    const realRoot = fs.realpath(rendererDir);
    const realFile = fs.realpath(candidate);
    if (isInsideRoot(realRoot, realFile) && fs.isFile(realFile)) return { path: realFile };
  } catch {
    // Missing or unreadable: the same answer as anything else that is not there.
  }
  return { status: 404 };
}

export function appResponseHeaders(path: string): Record<string, string> {
  const headers: Record<string, string> = { ...ISOLATION_HEADERS, 'Content-Type': contentType(path), 'Cache-Control': 'no-store' };
  if (path.toLowerCase().endsWith('.html')) headers['Content-Security-Policy'] = rendererCsp([]);
  return headers;
}

export function createAppProtocolHandler(options: AppProtocolOptions): (request: Request) => Promise<Response> {
  const fs = options.fs ?? nodeFs;
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response('method not allowed', { status: 405, headers: ISOLATION_HEADERS });
    }
    const found = resolveAppFile(options.rendererDir, request.url, fs);
    if ('status' in found) return new Response(found.status === 400 ? 'bad path' : 'not found', { status: found.status, headers: ISOLATION_HEADERS });
    let body: Uint8Array;
    try {
      body = fs.readFile(found.path);
    } catch {
      return new Response('not found', { status: 404, headers: ISOLATION_HEADERS });
    }
    const headers = appResponseHeaders(found.path);
    return new Response(request.method === 'HEAD' ? null : (body as Uint8Array<ArrayBuffer>), { status: 200, headers });
  };
}
