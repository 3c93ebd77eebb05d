import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

/**
 * Reads a request body into one exactly-sized ArrayBuffer, refusing it (413) as soon as it is
 * known to exceed `limit`: up front from Content-Length, else while streaming, so an oversized
 * upload is never held in memory.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<ArrayBuffer> {
  const tooLarge = (): HttpError => new HttpError(413, `upload too large (limit ${limit} bytes)`);
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    // Keep reading (and discarding) so the 413 can still be sent; the connection is then closed.
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let refused = false;
    // Events rather than `for await`: leaving that loop early destroys the socket, and with it
    // the chance to answer 413.
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      total += chunk.byteLength;
      if (total > limit) {
        refused = true;
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      const out = new Uint8Array(total);
      let offset = 0;
      for (const buf of chunks) {
        out.set(buf, offset);
        offset += buf.byteLength;
      }
      resolve(out.buffer);
    });
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new HttpError(400, 'upload interrupted'));
    });
  });
}

export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const bytes = await readBody(req, limit);
  if (bytes.byteLength === 0) return [];
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}
