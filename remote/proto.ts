// The protobuf messages of the Remote Execution API, Google's longrunning/bytestream/rpc and the
// Remote Workers API, from dist/remote/protos.json (made at build time by scripts/fetch-protos.mjs
// from the upstream .proto files; a self-contained bundle such as the bot's gets it inlined).
// Field names are the .proto's own (snake_case), in objects and on the wire alike.
import fs from 'node:fs';
import protobuf from 'protobufjs';
import { distFile } from '../util/dist-dir.js';
import { WpmError } from '../util/errors.js';

declare const __WPM_PROTOS_JSON__: string | undefined;

export const REAPI = 'build.bazel.remote.execution.v2';

let root: protobuf.Root | null = null;

export function protoRoot(): protobuf.Root {
  if (root !== null) return root;
  let json: string;
  if (typeof __WPM_PROTOS_JSON__ === 'string') json = __WPM_PROTOS_JSON__;
  else {
    // From dist/ (the CLI), or from the source tree (vitest), where dist/ is one level down.
    const file = [distFile('remote/protos.json'), distFile('dist/remote/protos.json')].find((f) => fs.existsSync(f)) ?? distFile('remote/protos.json');
    try {
      json = fs.readFileSync(file, 'utf8');
    } catch (cause) {
      throw new WpmError('ERR_REMOTE_PROTOS', `the Remote Execution API descriptors are missing (${file})`, {
        cause,
        hint: 'run `npm run build`, which fetches them (scripts/fetch-protos.mjs)',
      });
    }
  }
  root = protobuf.Root.fromJSON(JSON.parse(json));
  return root;
}

const types = new Map<string, protobuf.Type>();

export function messageType(name: string): protobuf.Type {
  let t = types.get(name);
  if (t === undefined) {
    t = protoRoot().lookupType(name);
    types.set(name, t);
  }
  return t;
}

/** How decoded messages look: 64-bit integers as numbers, enums by name, bytes as Buffers, defaults filled in. */
export const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: String, bytes: Buffer, defaults: true, arrays: true, objects: true };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Msg = Record<string, any>;

export function encodeMessage(type: string, value: Msg): Buffer {
  const t = messageType(type);
  return Buffer.from(t.encode(t.fromObject(value)).finish());
}

export function decodeMessage<T = Msg>(type: string, bytes: Uint8Array): T {
  const t = messageType(type);
  return t.toObject(t.decode(bytes), TO_OBJECT) as T;
}

/** A google.protobuf.Any holding `value` of message type `type`. */
export function packAny(type: string, value: Msg): Msg {
  return { type_url: `type.googleapis.com/${type}`, value: encodeMessage(type, value) };
}

/** The message inside an Any, which must be of type `type`. */
export function unpackAny<T = Msg>(any: Msg | null | undefined, type: string): T | null {
  if (!any || typeof any.type_url !== 'string') return null;
  const name = any.type_url.slice(any.type_url.lastIndexOf('/') + 1);
  if (name !== type) return null;
  return decodeMessage<T>(type, any.value as Uint8Array);
}

/** The type name inside an Any, e.g. 'build.bazel.remote.execution.v2.Action'. */
export function anyType(any: Msg | null | undefined): string {
  const url = typeof any?.type_url === 'string' ? (any.type_url as string) : '';
  return url.slice(url.lastIndexOf('/') + 1);
}
