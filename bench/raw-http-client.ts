// The reference for bench/client-accuracy.ts: the least a node:http client can do to time a
// stream — one keep-alive Agent, a clock reading per network read, a byte search for content
// chunks, no SSE or JSON parsing. Its receive error is the floor this machine allows; the
// real client is judged against it in the same run.

import { Agent, request } from 'node:http';
import { systemClock } from '../src/clock.js';

/** What the bench needs of one streamed request. */
export interface StreamTimes {
  ok: boolean;
  /** When the first / last content chunk was read (epoch ms, main time base); null if none. */
  firstAt: number | null;
  lastAt: number | null;
  contentChunks: number;
}

export interface BenchClient {
  send(id: string, maxTokens: number): Promise<StreamTimes>;
  close(): Promise<void>;
}

/** The simulator's fixed-schedule content chunks all carry this token (src/sim/fixed-schedule.ts). */
const CONTENT_MARK = Buffer.from('"content":" the"');

function countMarks(buf: Buffer): number {
  let n = 0;
  for (let at = buf.indexOf(CONTENT_MARK); at !== -1; at = buf.indexOf(CONTENT_MARK, at + CONTENT_MARK.length)) n++;
  return n;
}

export function rawHttpClient(baseUrl: string, sockets: number): BenchClient {
  const url = new URL('/v1/chat/completions', baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: sockets, keepAliveMsecs: 4_000 });
  return {
    send(id, maxTokens) {
      const body = JSON.stringify({ model: 'sim', max_tokens: maxTokens, stream: true, messages: [{ role: 'user', content: 'hi' }] });
      return new Promise<StreamTimes>((resolve) => {
        const times: StreamTimes = { ok: false, firstAt: null, lastAt: null, contentChunks: 0 };
        const req = request(
          url,
          { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-request-id': id, 'content-length': Buffer.byteLength(body) } },
          (res) => {
            res.on('data', (buf: Buffer) => {
              const now = systemClock.now();
              const n = countMarks(buf);
              if (n === 0) return;
              if (times.firstAt === null) times.firstAt = now;
              times.lastAt = now;
              times.contentChunks += n;
            });
            res.on('end', () => resolve({ ...times, ok: res.statusCode === 200 }));
            res.on('error', () => resolve(times));
          },
        );
        req.setTimeout(60_000, () => req.destroy());
        req.on('error', () => resolve(times));
        req.end(body);
      });
    },
    async close() {
      agent.destroy();
    },
  };
}
