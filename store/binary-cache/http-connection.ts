// One kept-alive connection of wpm's own HTTP client (raw-http-get.ts), over TCP or TLS, read one
// chunk at a time into a buffer of its own (the socket's `onread`). A chunk is a view of that
// buffer, valid until the next read is asked for: the socket stays paused until then, so the
// kernel (or TLS) holds what comes next.
//
// Over TCP a read brings what the kernel holds, often hundreds of KiB, and is handed on as it is.
// Over TLS every record, at most 16 KiB, comes in a read of its own; handed on one by one, each
// would cost the NAR's reader a write(2), a hash on the main thread and a parser step. So a TLS
// connection copies the records of one turn of the event loop into its buffer and hands them on
// together.
import type Net from 'node:net';
import type Tls from 'node:tls';
import { builtin } from '../../util/builtin.js';

const net = builtin<typeof Net>('node:net');
const tls = builtin<typeof Tls>('node:tls');

/** Each connection's buffer: a read from loopback brings at most about this much. */
const READ_SIZE = 512 << 10;
/** Where TLS puts each record it decrypted (Node hands them on 16 KiB at a time). */
const RECORD_SIZE = 64 << 10;

/** What a read brought: bytes, the end of the connection, or its failure. */
export type Arrival = { chunk: Uint8Array } | { end: true } | { error: Error };

/** How to speak TLS to the server: the name it is checked against (not an IP) and the authorities. */
export interface Secure {
  servername: string | undefined;
  context: Tls.SecureContext | undefined;
}

/** One kept-alive connection, read one chunk at a time into its own buffer. */
export class HttpConnection {
  readonly socket: Net.Socket;
  readonly #buffer = Buffer.allocUnsafe(READ_SIZE);
  #waiting: ((a: Arrival) => void) | undefined;
  /** How the connection ended, once it has: every later read gets this. */
  #over: Arrival | undefined;
  /** True once it carried an answer: a server may have closed it since. */
  reused = false;
  /** Called when the connection ends (the pool forgets it). */
  onGone: () => void = () => undefined;

  // Over TLS only: records gathered into #buffer, and those that came while it was lent out.
  #filled = 0;
  #lent = false;
  #spilled: Buffer[] = [];
  #handOver: NodeJS.Immediate | undefined;

  constructor(host: string, port: number, secure?: Secure) {
    if (secure) {
      const record = Buffer.allocUnsafe(RECORD_SIZE);
      // tls.connect takes `onread` as net's sockets do (Node's documentation); @types/node lacks it.
      const options: Tls.ConnectionOptions & Pick<Net.TcpNetConnectOpts, 'onread'> = {
        host,
        port,
        servername: secure.servername,
        secureContext: secure.context,
        onread: { buffer: record, callback: (n) => this.#gather(record.subarray(0, n)) },
      };
      this.socket = tls().connect(options);
      this.socket.setNoDelay(true);
    } else {
      const buffer = this.#buffer;
      this.socket = net().connect({ host, port, noDelay: true, onread: { buffer, callback: (n) => this.#arrived(buffer.subarray(0, n)) } });
    }
    this.socket.on('end', () => this.#finish({ end: true }));
    this.socket.on('close', () => this.#finish({ end: true }));
    this.socket.on('error', (error) => this.#finish({ error }));
  }

  /** The next bytes (valid until the next read), or the end, or the failure. */
  read(): Promise<Arrival> {
    if (this.#lent) {
      this.#lent = false;
      this.#filled = 0;
      while (this.#spilled.length > 0 && this.#filled + this.#spilled[0]!.length <= READ_SIZE) this.#keep(this.#spilled.shift()!);
    }
    if (this.#filled > 0) return Promise.resolve(this.#lend());
    if (this.#over) return Promise.resolve(this.#over);
    return new Promise((resolve) => {
      this.#waiting = resolve;
      this.socket.resume();
    });
  }

  write(data: string): void {
    this.socket.write(data);
  }

  destroy(err?: Error): void {
    this.#finish(err ? { error: err } : { end: true });
    this.socket.destroy();
  }

  /** Over TCP: the read is handed on as it is. Returns false: paused until the next read(). */
  #arrived(chunk: Uint8Array): boolean {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (waiting) waiting({ chunk });
    else this.destroy(); // bytes nobody asked for (on an idle connection): it cannot be trusted
    return false;
  }

  /** Over TLS: a record is kept, and handed on with the rest of this turn's. False pauses. */
  #gather(record: Uint8Array): boolean {
    if (this.#lent || this.#spilled.length > 0 || this.#filled + record.length > READ_SIZE) this.#spilled.push(Buffer.from(record));
    else this.#keep(record);
    const room = !this.#lent && READ_SIZE - this.#filled >= RECORD_SIZE;
    if (!this.#waiting) return room;
    if (!room) {
      this.#handOn(); // nearly full: now, not at the end of the turn
      return false;
    }
    this.#handOver ??= setImmediate(() => this.#handOn());
    return true;
  }

  #keep(bytes: Uint8Array): void {
    this.#buffer.set(bytes, this.#filled);
    this.#filled += bytes.length;
  }

  /** What was gathered, lent to the reader until its next read(). */
  #lend(): Arrival {
    this.#lent = true;
    return { chunk: this.#buffer.subarray(0, this.#filled) };
  }

  #handOn(): void {
    clearImmediate(this.#handOver);
    this.#handOver = undefined;
    const waiting = this.#waiting;
    if (!waiting || this.#filled === 0 || this.#lent) return;
    this.#waiting = undefined;
    this.socket.pause();
    waiting(this.#lend());
  }

  #finish(a: Arrival): void {
    if (this.#over) return;
    this.#over = a;
    this.onGone();
    // Records gathered before the end are read first; the end comes with the read after them.
    if (this.#filled > 0 && !this.#lent) return this.#handOn();
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.(a);
  }
}
