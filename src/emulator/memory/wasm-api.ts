// The part of the host's WebAssembly API the emulator uses, typed here because the
// project compiles against ES2022 without the DOM library (which declares it). Missing
// API (a host without WebAssembly) reads as undefined: the caller falls back.

export interface WasmMemory { readonly buffer: ArrayBuffer }
export interface WasmTable { get(i: number): unknown; set(i: number, f: unknown): void; grow(n: number): number; readonly length: number }
export interface WasmInstance { readonly exports: Record<string, unknown> }

interface WasmNamespace {
  Memory: new (d: { initial: number; maximum?: number }) => WasmMemory;
  Table: new (d: { element: 'anyfunc'; initial: number }) => WasmTable;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: Record<string, Record<string, unknown>>) => WasmInstance;
}

/** The host's WebAssembly namespace, or undefined. */
export const wasmApi: WasmNamespace | undefined = (globalThis as unknown as { WebAssembly?: WasmNamespace }).WebAssembly;

/** Compiles and instantiates a module synchronously. */
export function instantiate(bytes: Uint8Array, imports: Record<string, Record<string, unknown>>): WasmInstance {
  const api = wasmApi;
  if (!api) throw new Error('WebAssembly is not available');
  return new api.Instance(new api.Module(bytes), imports);
}
