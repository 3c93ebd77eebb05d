import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The port `serve` listens on. The page keeps its recent files in the browser's storage, which is
 * per origin, and the origin includes the port: a random port each run would start every session
 * with an empty list. So `serve` uses one fixed port by default (unassigned by IANA, in the
 * registered range), moves to the next free one only when it is taken, and says so.
 */
export const DEFAULT_SERVE_PORT = 47150;

/** How many ports after the default are tried before giving up. */
export const SERVE_PORT_ATTEMPTS = 20;

/** What to listen on: a fixed port (0: any free port), or the default with fallback. */
export type PortRequest = { readonly port: number } | { readonly port: 'default'; readonly first?: number; readonly attempts?: number };

export interface ListeningPort {
  readonly port: number;
  /** Set when the default port was busy and a later one was taken. */
  readonly fellBackFrom: number | null;
}

/** Listens on 127.0.0.1 as the request says; a busy explicit port is an error naming it. */
export async function listenOnLoopback(server: Server, request: PortRequest): Promise<ListeningPort> {
  if (request.port !== 'default') {
    try {
      await listen(server, request.port);
    } catch (error) {
      if (isAddressInUse(error)) throw new Error(`port ${request.port} on 127.0.0.1 is in use (another NMF Studio?); choose another with --port N, or --port 0 for any free port`);
      throw error;
    }
    return { port: (server.address() as AddressInfo).port, fellBackFrom: null };
  }
  const first = request.first ?? DEFAULT_SERVE_PORT;
  const attempts = request.attempts ?? SERVE_PORT_ATTEMPTS;
  for (let port = first; port < first + attempts && port <= 65535; port++) {
    try {
      await listen(server, port);
      return { port, fellBackFrom: port === first ? null : first };
    } catch (error) {
      if (!isAddressInUse(error)) throw error;
    }
  }
  throw new Error(`ports ${first}–${first + attempts - 1} on 127.0.0.1 are all in use; choose one with --port N, or --port 0 for any free port`);
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function isAddressInUse(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EADDRINUSE';
}
