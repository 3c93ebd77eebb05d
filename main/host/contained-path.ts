import { isAbsolute, join, normalize, relative, sep } from 'node:path';

/**
 * Maps a URL path onto a file inside `root`, or null when it would escape it. Used by every
 * server of the renderer's files (Electron's app:// handler, the web host), so that `..`, encoded
 * `%2e%2e%2f`, backslashes, absolute paths, drive letters and NUL bytes can never reach outside.
 * The path is decoded exactly once: a double-encoded `%252e%252e` stays the literal name `%2e%2e`.
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
  if (!isInsideRoot(root, candidate)) return null;
  return candidate;
}

/**
 * True when `candidate` lies strictly inside `root`. Callers that follow symlinks pass both through
 * realpath first, so a link inside the folder that points out of it is refused too.
 */
export function isInsideRoot(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('..');
}
