import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HostApi } from '../../app/host-api.js';
import { createApiRoutes, type ApiRoute } from './api-routes.js';
import { createEventSocketServer, rejectUpgrade, type EventSocketServer } from './event-socket.js';
import { errorMessage, HttpError, sendError, sendJson, statusForError } from './http-error.js';
import { refuseForeignRequest } from './origin-guard.js';
import { listenOnLoopback, type PortRequest } from './port-choice.js';
import { authenticate, presentedTokens, tokenCookie } from './request-auth.js';
import { contentSecurityPolicy, setCommonHeaders } from './security-headers.js';
import { isHtmlPath, locateStaticFile, sendStaticFile } from './static-files.js';
import { createToken } from './token.js';

export interface WebHostOptions {
  readonly host: HostApi;
  /**
   * 0 picks any free port; 'default' the fixed default (port-choice.ts), or the next free port
   * after it when it is taken.
   */
  readonly port: number | 'default';
  /** The built renderer (index.html, app.js, …). */
  readonly rendererDir: string;
  /** Largest file openFile accepts; default 2 GiB. */
  readonly maxUploadBytes?: number;
}

export interface WebHost {
  /** The page's address, token included: the only way in. */
  readonly url: string;
  readonly port: number;
  /** The default port, when it was taken and `port` is a later one; otherwise null. */
  readonly fellBackFrom: number | null;
  readonly token: string;
  close(): Promise<void>;
}

const DEFAULT_MAX_UPLOAD = 2 * 1024 ** 3;
const API_PREFIX = '/api/';
const EVENTS_PATH = '/api/events';

/** Splits a raw request target without normalising it, so static-path checks see what was sent. */
function splitTarget(url: string | undefined): { path: string; query: URLSearchParams } {
  const target = url ?? '/';
  const q = target.indexOf('?');
  return q < 0 ? { path: target, query: new URLSearchParams() } : { path: target.slice(0, q), query: new URLSearchParams(target.slice(q + 1)) };
}

interface Context {
  readonly port: number;
  readonly token: string;
  readonly rendererDir: string;
  readonly routes: ReadonlyMap<string, ApiRoute>;
  readonly events: EventSocketServer;
}

async function handleApi(req: IncomingMessage, res: ServerResponse, ctx: Context, path: string): Promise<void> {
  if (path === EVENTS_PATH) throw new HttpError(426, 'this endpoint is a WebSocket');
  const route = ctx.routes.get(path.slice(API_PREFIX.length));
  if (!route) throw new HttpError(404, `unknown API method: ${path.slice(API_PREFIX.length)}`);
  if (req.method !== 'POST') throw new HttpError(405, 'API methods take POST');
  const reply = await route(req);
  if (reply.kind === 'json') {
    sendJson(res, 200, reply.value);
    return;
  }
  res.statusCode = 200;
  res.setHeader('Content-Type', reply.contentType);
  res.setHeader('Content-Length', reply.body.byteLength);
  res.end(reply.body);
}

async function handleStatic(req: IncomingMessage, res: ServerResponse, ctx: Context, path: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method not allowed');
  const file = await locateStaticFile(ctx.rendererDir, path);
  if (isHtmlPath(file.path)) res.setHeader('Content-Security-Policy', contentSecurityPolicy(ctx.port));
  await sendStaticFile(req, res, file);
}

async function handleRequest(req: IncomingMessage, res: ServerResponse, ctx: Context): Promise<void> {
  setCommonHeaders(res);
  const refusal = refuseForeignRequest(req, ctx.port);
  if (refusal) throw new HttpError(403, refusal);
  const { path, query } = splitTarget(req.url);
  const auth = authenticate(presentedTokens(req, query), ctx.token);
  if (auth === 'denied') throw new HttpError(401, 'missing or wrong token: open the address printed by the server');
  // The first page load brings the token in its URL; the cookie carries it on every request after.
  if (auth === 'ok-from-query') res.setHeader('Set-Cookie', tokenCookie(ctx.token));
  if (path.startsWith(API_PREFIX)) await handleApi(req, res, ctx, path);
  else await handleStatic(req, res, ctx, path);
}

function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, ctx: Context): void {
  socket.on('error', () => socket.destroy());
  const { path, query } = splitTarget(req.url);
  if (refuseForeignRequest(req, ctx.port)) return rejectUpgrade(socket, 403, 'Forbidden', 'request refused');
  if (authenticate(presentedTokens(req, query), ctx.token) === 'denied') {
    return rejectUpgrade(socket, 401, 'Unauthorized', 'missing or wrong token');
  }
  if (path !== EVENTS_PATH) return rejectUpgrade(socket, 404, 'Not Found', 'no WebSocket here');
  ctx.events.accept(req, socket, head);
}

/**
 * Serves the renderer and the HostApi to a browser on this machine only: bound to 127.0.0.1,
 * every request must carry the session token, and Host/Origin must be ours.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = createToken();
  const server = createServer();
  server.on('clientError', (_error, socket) => socket.destroy());
  const request: PortRequest = options.port === 'default' ? { port: 'default' } : { port: options.port };
  const { port, fellBackFrom } = await listenOnLoopback(server, request);
  const ctx: Context = {
    port,
    token,
    rendererDir: options.rendererDir,
    routes: createApiRoutes(options.host, options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD),
    events: createEventSocketServer(options.host),
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handleRequest(req, res, ctx).catch((error: unknown) => {
      const status = statusForError(error);
      // After an early refusal the rest of the upload is unwanted: close instead of draining it.
      if (status === 413) res.setHeader('Connection', 'close');
      sendError(res, status, errorMessage(error));
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => handleUpgrade(req, socket, head, ctx));

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    fellBackFrom,
    token,
    close: () =>
      new Promise<void>((resolve, reject) => {
        ctx.events.close();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
