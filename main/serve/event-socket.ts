import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { HostApi } from '../../app/host-api.js';

export interface EventSocketServer {
  /** Completes an already-authenticated upgrade and starts pushing JobEvents to it. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): void;
}

/** Pushes every JobEvent to every connected page as a JSON text frame; clients only listen. */
export function createEventSocketServer(host: HostApi): EventSocketServer {
  // noServer: the http server's 'upgrade' handler authenticates before anything is accepted.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  return {
    accept(req, socket, head) {
      wss.handleUpgrade(req, socket, head, (ws) => {
        let unsubscribe: () => void;
        try {
          unsubscribe = host.onJobEvent((event) => {
            if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(event));
          });
        } catch {
          // Runs inside ws's upgrade callback: a throw here would be uncaught and end the process.
          ws.close(1011, 'cannot subscribe to job events');
          return;
        }
        ws.on('close', unsubscribe);
        // A broken socket must not take the server down; 'close' follows and unsubscribes.
        ws.on('error', () => ws.terminate());
      });
    },
    close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

/** Refuses an upgrade with a plain HTTP response; the socket is then closed. */
export function rejectUpgrade(socket: Duplex, status: number, reason: string, message: string): void {
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
