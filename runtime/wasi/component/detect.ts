// Which ABI a builder's bytes speak, decided by content: both start with "\0asm", then a
// core module has version 1 (01 00 00 00) and a component has version 0x0d, layer 1
// (0d 00 01 00). The same `builder` field takes either.

export type WasmKind = 'module' | 'component' | 'unknown';

export function wasmKind(bytes: Uint8Array): WasmKind {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) return 'unknown';
  const v = [bytes[4], bytes[5], bytes[6], bytes[7]].join(',');
  if (v === '1,0,0,0') return 'module';
  if (v === '13,0,1,0') return 'component';
  return 'unknown';
}

export function isComponent(bytes: Uint8Array): boolean {
  return wasmKind(bytes) === 'component';
}
