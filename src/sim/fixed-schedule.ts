// The bench mode (`--mode fixed-schedule`): no batching model, as cheap as a server can be, so
// a client benchmark measures the client and not the server. Each request streams N chunks at
// fixed times from its arrival (first after fixedTtftMs, then one every fixedIntervalMs); the
// chunk bytes are encoded once at start; one timer loop (a min-heap of due times) serves every
// stream; the send log records each request's due and actual first/last content write times.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../clock.js';
import type { Api, Clock } from '../types.js';
import type { EngineParams } from './engine-params.js';
import { sendJson } from './fault-answers.js';
import { parseGenerationRequest } from './request-parse.js';
import { SendLog, type SendLogEntry } from './send-log.js';
import type { SimOptions, SimServer } from './server.js';
import { contentChunk, errorBody, fullResponse, roleChunk, sseEvent, SSE_DONE, usage, usageChunk, type ResponseIdentity } from './wire.js';

export interface FixedScheduleOptions {
  /** Time from a request's arrival to its first content chunk (ms). Default 20. */
  fixedTtftMs?: number;
  /** Time between content chunks (ms). Default 10. */
  fixedIntervalMs?: number;
  /** Chunks per answer; default the request's max_tokens (max_completion_tokens). */
  fixedChunks?: number;
  /** Serve from this many processes (node:cluster); 1 (default) serves in this process. */
  workers?: number;
}

/** A fixed-schedule send-log entry also holds the exact schedule of its first and last chunk. */
export interface FixedSendLogEntry extends SendLogEntry {
  firstDueAt: number | null;
  lastDueAt: number | null;
}

const FIXED_ID = 'chatcmpl-fixed';
const TOKEN = ' the';

export function findFixedProblem(o: FixedScheduleOptions): string | null {
  const ttft = o.fixedTtftMs ?? 20;
  const interval = o.fixedIntervalMs ?? 10;
  if (!Number.isFinite(ttft) || ttft < 0) return `fixedTtftMs must be a number >= 0 (got ${ttft})`;
  if (!Number.isFinite(interval) || interval < 0) return `fixedIntervalMs must be a number >= 0 (got ${interval})`;
  const n = o.fixedChunks;
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) return `fixedChunks must be an integer >= 1 (got ${n})`;
  const w = o.workers ?? 1;
  if (!Number.isInteger(w) || w < 1 || w > 64) return `workers must be an integer from 1 to 64 (got ${w})`;
  return null;
}

/** Starts the bench server: in this process, or (workers > 1) as a cluster of processes. */
export async function startFixedSchedule(opts: SimOptions, params: EngineParams): Promise<SimServer> {
  const problem = findFixedProblem(opts);
  if (problem) throw new RangeError(problem);
  if ((opts.workers ?? 1) > 1) {
    const { startFixedCluster } = await import('./fixed-cluster.js');
    return startFixedCluster(opts, params);
  }
  return startFixedServer(opts, params);
}

/** The bytes of every chunk, encoded once: only the usage chunk depends on the request. */
interface Encoded {
  first: Buffer;
  middle: Buffer;
  last: Buffer;
  /** The first and only chunk of a one-chunk answer (role chunk + finish). */
  only: Buffer;
}

function encode(api: Api, model: string): Encoded {
  const r: ResponseIdentity = { api, id: api === 'chat' ? FIXED_ID : 'cmpl-fixed', created: Math.floor(Date.now() / 1000), model };
  const role = api === 'chat' ? sseEvent(roleChunk(r)) : '';
  const mid = sseEvent(contentChunk(r, TOKEN, false));
  const fin = sseEvent(contentChunk(r, TOKEN, true));
  return { first: Buffer.from(role + mid), middle: Buffer.from(mid), last: Buffer.from(fin), only: Buffer.from(role + fin) };
}

interface Stream {
  res: ServerResponse;
  identity: ResponseIdentity;
  enc: Encoded;
  chunks: number;
  next: number;
  /** Due time of the next chunk. */
  due: number;
  firstDue: number;
  interval: number;
  streaming: boolean;
  includeUsage: boolean;
  entry: FixedSendLogEntry;
  done: boolean;
}

/** A binary min-heap of streams by due time: the one timer always waits for the earliest. */
class DueHeap {
  private readonly items: Stream[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): Stream | undefined {
    return this.items[0];
  }
  push(s: Stream): void {
    const a = this.items;
    a.push(s);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p].due <= a[i].due) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop(): Stream | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      while (true) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l].due < a[m].due) m = l;
        if (r < a.length && a[r].due < a[m].due) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}

export async function startFixedServer(opts: SimOptions, params: EngineParams): Promise<SimServer & { sendLog: FixedSendLogEntry[] }> {
  const clock: Clock = opts.clock ?? systemClock;
  const host = opts.host ?? '127.0.0.1';
  const model = opts.modelName ?? 'sim';
  const ttft = opts.fixedTtftMs ?? 20;
  const interval = opts.fixedIntervalMs ?? 10;
  const log = new SendLog(opts.keepSendLog ?? false, opts.sendLogPath);
  try {
    await log.ready();
  } catch (e) {
    throw new Error(`cannot open the send log ${opts.sendLogPath}: ${(e as Error).message}`);
  }
  const encoded: Record<Api, Encoded> = { chat: encode('chat', model), completions: encode('completions', model) };
  const heap = new DueHeap();
  const open = new Set<Stream>();
  let timer: NodeJS.Timeout | null = null;
  let timerDue = Infinity;
  let closing = false;

  const finish = (s: Stream): void => {
    if (s.done) return;
    s.done = true;
    open.delete(s);
    log.add(s.entry);
  };

  const fire = (s: Stream, now: number): void => {
    const i = s.next++;
    const last = i === s.chunks - 1;
    const e = s.entry;
    if (i === 0) {
      e.firstContentAt = now;
      e.firstDueAt = s.firstDue;
    }
    e.lastContentAt = now;
    e.lastDueAt = s.due;
    e.contentChunks++;
    e.outputTokens = i + 1;
    if (!s.streaming) {
      const text = TOKEN.repeat(s.chunks);
      sendJson(s.res, 200, fullResponse(s.identity, text, usage(e.inputTokens, s.chunks)));
      return finish(s);
    }
    if (!last) {
      s.res.write(i === 0 ? s.enc.first : s.enc.middle);
      s.due += s.interval;
      heap.push(s);
      return;
    }
    const tail = (s.includeUsage ? sseEvent(usageChunk(s.identity, usage(e.inputTokens, s.chunks))) : '') + SSE_DONE;
    s.res.end(Buffer.concat([i === 0 ? s.enc.only : s.enc.last, Buffer.from(tail)]));
    finish(s);
  };

  const run = (): void => {
    timer = null;
    timerDue = Infinity;
    const now = clock.now();
    while (heap.size > 0 && heap.peek()!.due <= now) {
      const s = heap.pop()!;
      if (!s.done) fire(s, now);
    }
    arm();
  };

  const arm = (): void => {
    const top = heap.peek();
    if (!top || closing) return;
    if (timer && timerDue <= top.due) return;
    if (timer) clearTimeout(timer);
    timerDue = top.due;
    // Never early: a chunk goes out at or after its due time; the log records the actual time.
    timer = setTimeout(run, Math.max(0, Math.ceil(top.due - clock.now())));
  };

  const start = (api: Api, arrivalAt: number, requestId: string, body: unknown, res: ServerResponse): void => {
    const parsed = parseGenerationRequest(api, body);
    if (!parsed.ok) return sendJson(res, 400, errorBody(400, parsed.message, parsed.param));
    const req = parsed.request;
    const chunks = opts.fixedChunks ?? req.maxTokens;
    const s: Stream = {
      res,
      identity: { api, id: api === 'chat' ? FIXED_ID : 'cmpl-fixed', created: Math.floor(arrivalAt / 1000), model },
      enc: encoded[api],
      chunks,
      next: 0,
      due: arrivalAt + ttft,
      firstDue: arrivalAt + ttft,
      interval,
      streaming: req.stream,
      includeUsage: req.includeUsage,
      entry: { requestId, arrivalAt, firstContentAt: null, lastContentAt: null, contentChunks: 0, inputTokens: req.inputTokens, outputTokens: 0, firstDueAt: null, lastDueAt: null },
      done: false,
    };
    if (!req.stream) s.due = arrivalAt + ttft + (chunks - 1) * interval;
    open.add(s);
    res.on('error', () => undefined);
    res.on('close', () => finish(s));
    if (req.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      res.flushHeaders();
    }
    heap.push(s);
    arm();
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const arrivalAt = clock.now();
    const raw = req.headers['x-request-id'];
    const requestId = (Array.isArray(raw) ? raw[0] : raw) ?? `fixed-${arrivalAt}`;
    res.setHeader('x-request-id', requestId);
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/health') {
      res.writeHead(200, { 'content-length': 0 });
      return void res.end();
    }
    const api: Api | null = path === '/v1/chat/completions' ? 'chat' : path === '/v1/completions' ? 'completions' : null;
    if (!api || req.method !== 'POST') return sendJson(res, 404, errorBody(404, `Not Found: ${req.method} ${path}`));
    if (closing) return sendJson(res, 503, errorBody(503, 'The simulator is shutting down.'));
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('error', () => undefined);
    req.on('end', () => {
      if (res.destroyed) return;
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(parts).toString('utf8'));
      } catch (e) {
        return sendJson(res, 400, errorBody(400, `The request body is not valid JSON: ${(e as Error).message}`));
      }
      start(api, arrivalAt, requestId, body, res);
    });
  };

  const server = createServer({ noDelay: true, keepAliveTimeout: 30_000 }, handle);
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new Error(`the simulator cannot listen on ${host}:${opts.port ?? 0}: ${err.code ?? err.message}`)));
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    sendLog: log.entries as FixedSendLogEntry[],
    params,
    flavor: 'vllm',
    close: async () => {
      if (closing) return;
      closing = true;
      if (timer) clearTimeout(timer);
      for (const s of [...open]) {
        finish(s);
        s.res.destroy();
      }
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await log.close();
    },
  };
}
