// Canonical JSON: object keys sorted by UTF-16 code units (JSON.stringify's own order for arrays),
// no insignificant whitespace. Every hash of a derivation is taken over this form, so two machines
// that evaluate the same Jsonnet agree byte for byte.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function canonicalJson(value: Json): string {
  return write(value);
}

function write(value: Json): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new TypeError(`cannot encode ${value} as JSON`);
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(write).join(',')}]`;
  const keys = Object.keys(value).sort();
  const parts: string[] = [];
  for (const key of keys) {
    const v = value[key];
    if (v === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${write(v)}`);
  }
  return `{${parts.join(',')}}`;
}
