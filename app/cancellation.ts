/**
 * The part of AbortSignal the domain needs. Node's and the browser's AbortSignal both satisfy it,
 * and a worker can satisfy it from a SharedArrayBuffer flag without the DOM typings.
 */
export interface CancelSignal {
  readonly aborted: boolean;
}

/** Thrown when a computation stops because its signal was aborted. */
export class CancelledError extends Error {
  override readonly name = 'AbortError';
  constructor(message = 'cancelled') {
    super(message);
  }
}

export function throwIfCancelled(signal: CancelSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}
