import type { ServerResponse } from 'node:http';
import { ISOLATION_HEADERS, rendererCsp } from '../host/security-headers.js';

/**
 * Headers on every response: the isolation set shared with Electron's app:// handler (COOP + COEP
 * unlock SharedArrayBuffer for the browser workers; CORP keeps other sites from embedding ours).
 */
export function setCommonHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) res.setHeader(name, value);
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
}

/** The page's CSP; its sockets may connect back to this server only, under either host name. */
export function contentSecurityPolicy(port: number): string {
  return rendererCsp([`ws://127.0.0.1:${port}`, `ws://localhost:${port}`]);
}
