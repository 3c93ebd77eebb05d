// Globals that Node (>= 18), browsers and Web Workers all provide. The domain layer is compiled
// without the DOM or Node typings, so it may use exactly these and nothing host-specific.
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: ArrayBufferView | ArrayBuffer): string;
}
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
/** High-resolution clock (ms), for timing only: never for results. */
declare const performance: { now(): number };
declare const console: {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
};
