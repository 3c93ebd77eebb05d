import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { containedPath, isInsideRoot } from '../host/contained-path.js';
import { contentType } from '../host/security-headers.js';
import { HttpError } from './http-error.js';

export function isHtmlPath(path: string): boolean {
  return path.toLowerCase().endsWith('.html');
}

/**
 * Finds the file for a raw (still percent-encoded) request path. The path rules are the ones
 * Electron's app:// handler uses too (containedPath); on top of them symlinks are resolved and
 * must still land inside the folder. Anything that is not a regular file there is a 404.
 */
export async function locateStaticFile(rootDir: string, rawPath: string): Promise<{ path: string; size: number }> {
  const candidate = containedPath(rootDir, rawPath);
  if (candidate === null) throw new HttpError(400, 'bad path');
  try {
    const [realRoot, realFile] = await Promise.all([realpath(rootDir), realpath(candidate)]);
    const info = await stat(realFile);
    if (isInsideRoot(realRoot, realFile) && info.isFile()) return { path: realFile, size: info.size };
  } catch {
    // Missing or unreadable: the same answer as for anything else that is not there.
  }
  throw new HttpError(404, 'not found');
}

export async function sendStaticFile(req: IncomingMessage, res: ServerResponse, file: { path: string; size: number }): Promise<void> {
  res.statusCode = 200;
  res.setHeader('Content-Type', contentType(file.path));
  res.setHeader('Content-Length', file.size);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await pipeline(createReadStream(file.path), res);
}
