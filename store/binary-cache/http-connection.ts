// One kept-alive TCP connection of wpm's own HTTP client (raw-http-get.ts), read one chunk at a
// time into a buffer of its own (net.Socket's `onread`). A chunk is a view of that buffer, valid
// until the next read is asked for: the socket stays paused until then, so the kernel holds
// what comes next.
import type Net from 'node:net';
import { builtin } from '../../util/builtin.js';

const net = builtin<typeof Net>('node:net');

/** Each connection's read buffer: a read from loopback brings at most about this much. */
const READ_SIZE = 512 << 10;

/** What a read brought: bytes, the end of the connection, or its failure. */
export type Arrival = { chunk: Uint8Array } | { end: true } | { error: Error };

/** One kept-alive TCP connection, read one chunk at a time into its own buffer. */
export class HttpConnection {
  readonly socket: Net.Socket;
  #waiting: ((a: Arrival) => void) | undefined;
  /** How the connection ended, once it has: every later read gets this. */
  #over: Arrival | undefined;
  /** True once it carried an answer: a server may have closed it since. */
  reused = false;
  /** Called when the connection ends (the pool forgets it). */
  onGone: () => void = () => undefined;

  constructor(host: string, port: number) {
    const buffer = Buffer.allocUnsafe(READ_SIZE);
    this.socket = net().connect({ host, port, noDelay: true, onread: { buffer, callback: (n) => this.#arrived({ chunk: buffer.subarray(0, n) }) } });
    this.socket.on('end', () => this.#finish({ end: true }));
    this.socket.on('close', () => this.#finish({ end: true }));
    this.socket.on('error', (error) => this.#finish({ error }));
  }

  /** The next bytes (valid until the next read), or the end, or the failure. */
  read(): Promise<Arrival> {
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

  /** Returns false: the socket stays paused until the next read() asks for more. */
  #arrived(a: { chunk: Uint8Array }): boolean {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (waiting) waiting(a);
    else this.destroy(); // bytes nobody asked for (on an idle connection): it cannot be trusted
    return false;
  }

  #finish(a: Arrival): void {
    if (this.#over) return;
    this.#over = a;
    this.onGone();
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.(a);
  }
}
