import type { IncomingMessage } from 'node:http';

/**
 * Defends against DNS rebinding (a hostile name resolving to 127.0.0.1 sends its own Host) and
 * cross-site requests (a foreign page's Origin). Returns why the request is refused, or null.
 */
export function refuseForeignRequest(req: IncomingMessage, port: number): string | null {
  const host = req.headers.host?.toLowerCase();
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return 'unexpected Host header';
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`) {
    return 'cross-origin request refused';
  }
  return null;
}
