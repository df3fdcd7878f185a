// HTTP servers on loopback for the suites that download (fixed-output fetches, binary caches).
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Loopback {
  /** http://127.0.0.1:PORT, no trailing slash. */
  url: string;
  /** Drops every open connection (stalled responses included) and stops listening. */
  close(): Promise<void>;
}

export async function startLoopback(handler: http.RequestListener): Promise<Loopback> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A loopback port free a moment ago (for a server started by another process). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The URL of a loopback port nothing listens on: connections to it are refused. */
export async function refusedUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}
