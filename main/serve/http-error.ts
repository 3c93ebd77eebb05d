import type { ServerResponse } from 'node:http';
import { HostCallError } from '../../app/host-api-validation.js';

/** An error that already knows its HTTP status; its message goes to the client. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  // JSON.stringify(undefined) is undefined: void methods answer `null`.
  const body = Buffer.from(JSON.stringify(value ?? null), 'utf8');
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', body.byteLength);
  res.end(body);
}

export function sendError(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, { error: message });
}

/**
 * Status for an error thrown by the host. Host errors are mostly about the caller's input (bad
 * file, bad parameters, unknown ids), so they are 4xx; programming errors are 500.
 */
export function statusForError(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  if (error instanceof HostCallError) return 400;
  if (!(error instanceof Error)) return 500;
  const declared = (error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
  if (typeof declared === 'number' && Number.isInteger(declared) && declared >= 400 && declared <= 599) return declared;
  if (/\b(unknown|not found|no such)\b/i.test(error.message)) return 404;
  if (error instanceof TypeError || error instanceof ReferenceError) return 500;
  return 400;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
