/**
 * The slice of the WebAssembly JS API the kernels use, typed locally. Node (>= 20), browsers and
 * workers all provide it, but the layers' typings differ (the DOM/WebWorker libs declare it,
 * @types/node does not), so it is reached through globalThis under this one interface.
 */
export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(deltaPages: number): number;
}

export interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}

/** The host's WebAssembly, or null where there is none (then the TypeScript kernels run). */
export function wasmApi(): WasmApi | null {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  return api ?? null;
}
