import { isAbsolute, join, normalize, relative, sep } from 'node:path';

/**
 * Maps a URL path onto a file inside `root`, or null when it would escape it. Used by every
 * server of the renderer's files (Electron's app:// handler, the web host), so that `..`, encoded
 * `%2e%2e%2f`, backslashes, absolute paths, drive letters and NUL bytes can never reach outside.
 */
export function containedPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const relativePath = decoded.replace(/^\/+/, '');
  if (isAbsolute(relativePath) || /^[a-zA-Z]:/.test(relativePath)) return null;
  const candidate = normalize(join(root, relativePath === '' ? 'index.html' : relativePath));
  const rel = relative(root, candidate);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) return null;
  return candidate;
}
