// The built-in simulated OpenAI-compatible server (vLLM dialect) on node:http. Requests run
// through the real-time engine model; each token is written the moment its step ends, and
// the send log records when every content chunk actually went out.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../clock.js';
import type { Api, Clock } from '../types.js';
import { assertValidParams, DEFAULT_ENGINE_PARAMS, type EngineParams } from './engine-params.js';
import { RealtimeEngine } from './realtime.js';
import { MAX_MODEL_LEN, parseGenerationRequest, type GenerationRequest } from './request-parse.js';
import { SendLog, type SendLogEntry } from './send-log.js';
import * as wire from './wire.js';

export type { SendLogEntry } from './send-log.js';

export interface SimOptions extends Partial<EngineParams> {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Append each send-log entry as a JSON line to this file. */
  sendLogPath?: string;
  /** Keep the send log in memory (SimServer.sendLog). Default false. */
  keepSendLog?: boolean;
  /** The model id /v1/models lists. Default "sim"; requests may name any model. */
  modelName?: string;
  /** Time base of the send log and of step scheduling; must advance with real time. Default systemClock. */
  clock?: Clock;
}

export interface SimServer {
  url: string;
  port: number;
  sendLog: SendLogEntry[];
  close(): Promise<void>;
  params: EngineParams;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

const ENGINE_KEYS = Object.keys(DEFAULT_ENGINE_PARAMS) as (keyof EngineParams)[];

/** One generation request between arrival and its last byte. */
interface ActiveRequest {
  key: number;
  request: GenerationRequest;
  identity: wire.ResponseIdentity;
  res: ServerResponse;
  entry: SendLogEntry;
  /** Non-streaming: the text so far. */
  text: string;
  finished: boolean;
}

/** The engine parameters of `opts`: defaults overridden by every given field. Throws RangeError on an invalid one. */
export function resolveEngineParams(opts: Partial<EngineParams>): EngineParams {
  const params: EngineParams = { ...DEFAULT_ENGINE_PARAMS };
  for (const key of ENGINE_KEYS) {
    const v = opts[key];
    if (v !== undefined) params[key] = v;
  }
  assertValidParams(params);
  return params;
}

export async function startSim(opts: SimOptions = {}): Promise<SimServer> {
  const params = resolveEngineParams(opts);
  const clock = opts.clock ?? systemClock;
  const host = opts.host ?? '127.0.0.1';
  const modelName = opts.modelName ?? 'sim';
  const log = new SendLog(opts.keepSendLog ?? false, opts.sendLogPath);
  try {
    await log.ready();
  } catch (e) {
    throw new Error(`cannot open the send log ${opts.sendLogPath}: ${(e as Error).message}`);
  }

  const active = new Map<number, ActiveRequest>();
  let nextKey = 0;
  let closing = false;

  const finish = (a: ActiveRequest): void => {
    if (a.finished) return;
    a.finished = true;
    active.delete(a.key);
    log.add(a.entry);
  };

  const deliverToken = (key: number, tokenIndex: number, last: boolean): void => {
    const a = active.get(key);
    if (!a) return;
    const text = wire.tokenText(tokenIndex);
    const { request, identity, entry, res } = a;
    if (!request.stream) {
      a.text += text;
      if (!last) return;
      const body = JSON.stringify(wire.fullResponse(identity, a.text, wire.usage(request.inputTokens, tokenIndex + 1)));
      stampContent(entry, clock.now(), tokenIndex + 1);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      finish(a);
      return;
    }
    let payload = tokenIndex === 0 && request.api === 'chat' ? wire.sseEvent(wire.roleChunk(identity)) : '';
    const chunkUsage = request.continuousUsage ? wire.usage(request.inputTokens, tokenIndex + 1) : undefined;
    payload += wire.sseEvent(wire.contentChunk(identity, text, last, chunkUsage));
    stampContent(entry, clock.now(), tokenIndex + 1);
    res.write(payload);
    if (!last) return;
    const usageEvent = request.includeUsage
      ? wire.sseEvent(wire.usageChunk(identity, wire.usage(request.inputTokens, tokenIndex + 1)))
      : '';
    res.end(usageEvent + wire.SSE_DONE);
    finish(a);
  };

  const engine = new RealtimeEngine(params, clock, deliverToken);

  const startGeneration = (api: Api, arrivalAt: number, requestId: string, body: unknown, res: ServerResponse): void => {
    const parsed = parseGenerationRequest(api, body);
    if (!parsed.ok) return sendJson(res, 400, wire.errorBody(400, parsed.message, parsed.param));
    const request = parsed.request;
    const key = nextKey++;
    const a: ActiveRequest = {
      key,
      request,
      identity: {
        api,
        id: wire.responseId(api, requestId),
        created: Math.floor(clock.now() / 1000),
        model: request.model ?? modelName,
      },
      res,
      entry: {
        requestId,
        arrivalAt,
        firstContentAt: null,
        lastContentAt: null,
        contentChunks: 0,
        inputTokens: request.inputTokens,
        outputTokens: 0,
      },
      text: '',
      finished: false,
    };
    active.set(key, a);
    // A step may write to a socket the client just reset, before 'close' arrives: not a server fault.
    res.on('error', () => undefined);
    res.on('close', () => {
      // Closed before the last token: the client left. Free its batch slot.
      if (a.finished) return;
      engine.abort(key);
      finish(a);
    });
    if (request.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      res.flushHeaders();
    }
    engine.submit(key, request.inputTokens, request.maxTokens);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const arrivalAt = clock.now();
    const requestId = headerRequestId(req) ?? randomUUID().replaceAll('-', '');
    res.setHeader('x-request-id', requestId);
    const path = (req.url ?? '/').split('?')[0];
    const route = ROUTES[path];
    if (!route) return sendJson(res, 404, wire.errorBody(404, `Not Found: ${path}`));
    if (req.method !== route.method) {
      res.setHeader('allow', route.method);
      return sendJson(res, 405, wire.errorBody(405, `Method Not Allowed: use ${route.method} ${path}`));
    }
    if (closing) return sendJson(res, 503, wire.errorBody(503, 'The simulator is shutting down.'));
    if (route.kind === 'health') {
      res.writeHead(200, { 'content-length': 0 });
      return void res.end();
    }
    if (route.kind === 'models') return sendJson(res, 200, modelList(modelName, clock));
    const api = route.kind;
    readJsonBody(req, (err, body) => {
      if (res.destroyed) return;
      if (err) return sendJson(res, err.status, wire.errorBody(err.status, err.message));
      startGeneration(api, arrivalAt, requestId, body, res);
    });
  };

  const server = createServer({ noDelay: true }, handle);
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(new Error(`the simulator cannot listen on ${host}:${opts.port ?? 0}: ${err.code ?? err.message}`));
    };
    server.once('error', onError);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    sendLog: log.entries,
    params,
    close: async () => {
      if (closing) return;
      closing = true;
      engine.stop();
      // Open streams end now, truncated: a server that goes away mid-answer.
      for (const a of [...active.values()]) {
        finish(a);
        a.res.destroy();
      }
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await log.close();
    },
  };
}

type RouteKind = 'health' | 'models' | Api;
const ROUTES: Record<string, { method: string; kind: RouteKind } | undefined> = {
  '/health': { method: 'GET', kind: 'health' },
  '/v1/models': { method: 'GET', kind: 'models' },
  '/v1/chat/completions': { method: 'POST', kind: 'chat' },
  '/v1/completions': { method: 'POST', kind: 'completions' },
};

function stampContent(entry: SendLogEntry, now: number, tokensSent: number): void {
  if (entry.firstContentAt === null) entry.firstContentAt = now;
  entry.lastContentAt = now;
  entry.contentChunks++;
  entry.outputTokens = tokensSent;
}

function headerRequestId(req: IncomingMessage): string | null {
  const raw = req.headers['x-request-id'];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  return value ? value : null;
}

function modelList(modelName: string, clock: Clock): unknown {
  return {
    object: 'list',
    data: [
      {
        id: modelName,
        object: 'model',
        created: Math.floor(clock.now() / 1000),
        owned_by: 'llm-perf-gate',
        root: modelName,
        parent: null,
        max_model_len: MAX_MODEL_LEN,
        permission: [],
      },
    ],
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

interface BodyError {
  status: number;
  message: string;
}

function readJsonBody(req: IncomingMessage, done: (err: BodyError | null, body?: unknown) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(chunk);
  });
  req.on('error', () => undefined); // the response's 'close' handles a client that left
  req.on('end', () => {
    if (tooLarge) return done({ status: 413, message: `The request body is larger than ${MAX_BODY_BYTES} bytes.` });
    try {
      done(null, JSON.parse(Buffer.concat(chunks).toString('utf8')));
    } catch (e) {
      done({ status: 400, message: `The request body is not valid JSON: ${(e as Error).message}` });
    }
  });
}
