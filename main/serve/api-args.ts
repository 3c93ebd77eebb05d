import { HttpError } from './http-error.js';

// What the HTTP transport itself must unwrap before the shared HostApi validation
// (app/host-api-validation.ts) sees the arguments.

export function argArray(body: unknown, method: string): readonly unknown[] {
  if (!Array.isArray(body)) throw new HttpError(400, `${method} expects a JSON array of arguments`);
  return body;
}

/** openFile's name travels URI-encoded in a header (header values are Latin-1 only). */
export function fileNameHeader(value: string | string[] | undefined): string {
  if (typeof value !== 'string' || value === '') throw new HttpError(400, 'missing X-File-Name header');
  try {
    return decodeURIComponent(value);
  } catch {
    throw new HttpError(400, 'X-File-Name must be URI-encoded');
  }
}
