// A scriptable node:http server on 127.0.0.1 (port 0) for the client's tests, and a clock the
// server can step in lockstep with the client, so arrival offsets are exact.

import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../src/types.js';

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, received: Received) => void | Promise<void>;

export interface FakeServer {
  url: string;
  port: number;
  received: Received[];
  /** TCP connections accepted so far. */
  connections: number;
  setHandler(handler: Handler): void;
  close(): Promise<void>;
}

export async function startFakeServer(initial?: Handler): Promise<FakeServer> {
  let handler: Handler | undefined = initial;
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const r: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(parts).toString('utf8') };
      received.push(r);
      if (handler === undefined) {
        res.writeHead(500).end('no handler');
        return;
      }
      void Promise.resolve(handler(req, res, r)).catch(() => res.destroy());
    });
  });
  const state = { connections: 0 };
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    get connections() {
      return state.connections;
    },
    setHandler(h) {
      handler = h;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port that was just free and is now closed: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A clock whose time the fake server sets. `nextCall()` resolves at the client's next
 * reading, so the server can write one chunk, wait until the client has taken its time,
 * and only then write the next one: no two chunks can merge into one read.
 */
export class SteppedClock implements Clock {
  time = 0;
  calls = 0;
  private waiters: Array<() => void> = [];

  now(): number {
    this.calls++;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
    return this.time;
  }

  nextCall(timeoutMs = 5_000): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

export function sse(res: ServerResponse, status = 200): void {
  res.writeHead(status, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
