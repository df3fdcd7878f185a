// gRPC clients for services described in proto.ts: grpc-js does HTTP/2 and framing, protobufjs
// the messages. Unary calls become promises with a deadline; server streams, async iterables.
import * as grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { protoRoot, TO_OBJECT, type Msg } from './proto.js';
import { callMetadata, channelCredentials, type RemoteEndpoint } from './endpoint.js';

const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export interface CallOptions {
  deadlineMs?: number;
  signal?: AbortSignal;
}

export class GrpcService {
  readonly client: grpc.Client;
  private readonly methods = new Map<string, grpc.MethodDefinition<Msg, Msg>>();

  constructor(
    readonly endpoint: RemoteEndpoint,
    serviceName: string,
    channel?: grpc.ChannelInterface,
  ) {
    const svc = protoRoot().lookupService(serviceName);
    for (const m of svc.methodsArray) {
      m.resolve();
      const req = m.resolvedRequestType as protobuf.Type;
      const res = m.resolvedResponseType as protobuf.Type;
      const md: grpc.MethodDefinition<Msg, Msg> = {
        path: `/${serviceName}/${m.name}`,
        requestStream: !!m.requestStream,
        responseStream: !!m.responseStream,
        requestSerialize: (o: Msg) => Buffer.from(req.encode(req.fromObject(o)).finish()),
        requestDeserialize: (b: Buffer) => req.toObject(req.decode(b), TO_OBJECT),
        responseSerialize: (o: Msg) => Buffer.from(res.encode(res.fromObject(o)).finish()),
        responseDeserialize: (b: Buffer) => res.toObject(res.decode(b), TO_OBJECT),
      };
      this.methods.set(m.name, md);
    }
    const options: grpc.ClientOptions = {
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
      ...(channel ? { channelOverride: channel as grpc.Channel } : {}),
    };
    this.client = new grpc.Client(endpoint.target, channelCredentials(endpoint), options);
  }

  private method(name: string): grpc.MethodDefinition<Msg, Msg> {
    const m = this.methods.get(name);
    if (!m) throw new Error(`no method ${name}`);
    return m;
  }

  private callOptions(opts: CallOptions): grpc.CallOptions {
    return opts.deadlineMs !== undefined ? { deadline: Date.now() + opts.deadlineMs } : {};
  }

  unary(name: string, request: Msg, opts: CallOptions = {}): Promise<Msg> {
    const m = this.method(name);
    return new Promise((resolve, reject) => {
      const call = this.client.makeUnaryRequest(m.path, m.requestSerialize, m.responseDeserialize, request, callMetadata(this.endpoint), this.callOptions(opts), (err, res) => {
        opts.signal?.removeEventListener('abort', cancel);
        if (err) reject(err);
        else resolve(res!);
      });
      const cancel = () => call.cancel();
      opts.signal?.addEventListener('abort', cancel, { once: true });
    });
  }

  /** A server-streaming call; `call` is there to cancel it. */
  serverStream(name: string, request: Msg, opts: CallOptions = {}): grpc.ClientReadableStream<Msg> {
    const m = this.method(name);
    const call = this.client.makeServerStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, request, callMetadata(this.endpoint), this.callOptions(opts));
    if (opts.signal) {
      const cancel = () => call.cancel();
      opts.signal.addEventListener('abort', cancel, { once: true });
      call.on('close', () => opts.signal!.removeEventListener('abort', cancel));
    }
    return call;
  }

  /** A client-streaming call (ByteStream.Write). */
  clientStream(name: string, opts: CallOptions, done: (err: grpc.ServiceError | null, res?: Msg) => void): grpc.ClientWritableStream<Msg> {
    const m = this.method(name);
    return this.client.makeClientStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, callMetadata(this.endpoint), this.callOptions(opts), (err, res) => done(err, res));
  }

  close(): void {
    this.client.close();
  }
}

/** The gRPC status code of an error from a call, if it is one. */
export function grpcCode(err: unknown): number | undefined {
  const c = (err as { code?: unknown })?.code;
  return typeof c === 'number' ? c : undefined;
}

export { grpc };
