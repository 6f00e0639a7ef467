// The built-in simulated OpenAI-compatible server on node:http. Requests run through the
// real-time engine model; each chunk is written the moment its step ends, in the dialect of
// the chosen flavor, and the send log records when every content chunk actually went out.
// Faults (fault-spec.ts) are applied per request or per time window.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../clock.js';
import type { Api, Clock } from '../types.js';
import { embeddingResponse, parseEmbeddingRequest } from './embeddings.js';
import { assertValidParams, DEFAULT_ENGINE_PARAMS, type EngineParams } from './engine-params.js';
import { httpErrorBody } from './error-shapes.js';
import { answersBeforeGeneration, modelNotFound, sendFaultAnswer, sendJson } from './fault-answers.js';
import { FaultPlan } from './fault-plan.js';
import { parseFaultSpec, type FaultRule, type FaultSpec } from './fault-spec.js';
import { startFixedSchedule, type FixedScheduleOptions } from './fixed-schedule.js';
import { FLAVORS, isFlavorName, type FlavorName, type FlavorTraits } from './flavors.js';
import { Generation, isStreamFault } from './generation.js';
import { Listener } from './listener.js';
import { findShapeProblem, planOutput, type SpecDecode } from './output-plan.js';
import { modelList, readinessRoutes, type StaticAnswer } from './readiness.js';
import { RealtimeEngine } from './realtime.js';
import { headerRequestId, readJsonBody, sendStatic } from './http-util.js';
import { parseGenerationRequest } from './request-parse.js';
import { SendLog, type SendLogEntry } from './send-log.js';
import { responseId } from './wire.js';

export type { SendLogEntry } from './send-log.js';
export type { FlavorName } from './flavors.js';

export interface SimOptions extends Partial<EngineParams>, FixedScheduleOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Append each send-log entry as a JSON line to this file. */
  sendLogPath?: string;
  /** Keep the send log in memory (SimServer.sendLog). Default false. */
  keepSendLog?: boolean;
  /** The model id /v1/models lists. Default "sim"; requests may name any model (unless servedModelName is set). */
  modelName?: string;
  /** Time base of the send log and of step scheduling; must advance with real time. Default systemClock. */
  clock?: Clock;
  /** The server dialect. Default "vllm". */
  flavor?: FlavorName;
  /** Serve only this model name: a request naming another gets the flavor's 404 (also what /v1/models lists). */
  servedModelName?: string;
  /** Chat: the first N output tokens stream as reasoning deltas (the flavor's reasoning field). */
  reasoningTokens?: number;
  /** Chat: output tokens (after any reasoning) stream as tool-call argument deltas. */
  toolCalls?: boolean;
  /** Engine steps per streamed chunk (vLLM's --stream-interval). Default 1. */
  tokensPerChunk?: number;
  /** Speculative decoding: each engine step yields 1..k tokens, acceptMean on average. */
  specDecode?: SpecDecode;
  /** Whether answers may end early at a seeded EOS; default per flavor (on for TGI, Ollama, OpenAI). */
  earlyEos?: boolean;
  /** Cumulative usage on every content chunk, whatever the request asked. */
  continuousUsage?: boolean;
  /** Fault injection: the compact string, JSON, or objects (see docs/simulator.md). */
  faults?: string | unknown[] | Record<string, unknown>;
  /** Seed of rate-selected faults (the spec's own `seed=` wins). Default 0. */
  faultSeed?: number;
  /** Length of the vectors /v1/embeddings returns. Default 16. */
  embeddingDim?: number;
  /** "model" (default): the batching model. "fixed-schedule": the bench server (fixed-schedule.ts). */
  mode?: 'model' | 'fixed-schedule';
}

export interface SimServer {
  url: string;
  port: number;
  sendLog: SendLogEntry[];
  close(): Promise<void>;
  params: EngineParams;
  flavor: FlavorName;
}

const ENGINE_KEYS = Object.keys(DEFAULT_ENGINE_PARAMS) as (keyof EngineParams)[];

/** Anything the engine is working on: a generation or an embedding. */
interface Active {
  onStep(stepIndex: number, last: boolean): void;
  abandon(): void;
  res: ServerResponse;
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

/** Validates the non-engine options; throws a RangeError with one line naming the option. */
function resolveShape(opts: SimOptions): { flavor: FlavorTraits; faults: FaultSpec } {
  const name = opts.flavor ?? 'vllm';
  if (!isFlavorName(name)) throw new RangeError(`flavor must be one of ${Object.keys(FLAVORS).join(', ')} (got "${String(name)}")`);
  const r = opts.reasoningTokens ?? 0;
  if (!Number.isInteger(r) || r < 0) throw new RangeError(`reasoningTokens must be an integer >= 0 (got ${r})`);
  const problem = findShapeProblem(opts);
  if (problem) throw new RangeError(problem);
  const dim = opts.embeddingDim ?? 16;
  if (!Number.isInteger(dim) || dim < 1 || dim > 4096) throw new RangeError(`embeddingDim must be an integer from 1 to 4096 (got ${dim})`);
  const faults = opts.faults === undefined ? { rules: [], seed: opts.faultSeed ?? 0 } : parseFaultSpec(opts.faults, opts.faultSeed ?? 0);
  return { flavor: FLAVORS[name], faults };
}

export async function startSim(opts: SimOptions = {}): Promise<SimServer> {
  const params = resolveEngineParams(opts);
  if (opts.mode === 'fixed-schedule') return startFixedSchedule(opts, params);
  const { flavor, faults } = resolveShape(opts);
  const clock = opts.clock ?? systemClock;
  const host = opts.host ?? '127.0.0.1';
  const modelName = opts.servedModelName ?? opts.modelName ?? 'sim';
  const plan = new FaultPlan(faults);
  const log = new SendLog(opts.keepSendLog ?? false, opts.sendLogPath);
  try {
    await log.ready();
  } catch (e) {
    throw new Error(`cannot open the send log ${opts.sendLogPath}: ${(e as Error).message}`);
  }

  const startedAt = clock.now();
  const created = Math.floor(startedAt / 1000);
  const staticRoutes = readinessRoutes(flavor.name, modelName, params.maxBatch, created);
  const active = new Map<number, Active>();
  let nextKey = 0;
  let nextIndex = 0;
  let closing = false;
  const loadingWindows = plan.windowRules().filter((r) => r.kind === 'loading');
  const loading = (): boolean => {
    const s = (clock.now() - startedAt) / 1000;
    return loadingWindows.some((r) => 'windowS' in r.when && s >= r.when.windowS[0] && s < r.when.windowS[1]);
  };

  const engine = new RealtimeEngine(params, clock, (key, stepIndex, last) => active.get(key)?.onStep(stepIndex, last));

  const dropAll = (): void => {
    for (const a of [...active.values()]) {
      a.abandon();
      a.res.destroy();
    }
  };

  const newEntry = (requestId: string, arrivalAt: number, inputTokens: number): SendLogEntry => ({
    requestId,
    arrivalAt,
    firstContentAt: null,
    lastContentAt: null,
    contentChunks: 0,
    inputTokens,
    outputTokens: 0,
  });

  const startGeneration = (api: Api, arrivalAt: number, requestId: string, body: unknown, res: ServerResponse, fault: FaultRule | null): void => {
    const parsed = parseGenerationRequest(api, body, flavor);
    if (!parsed.ok) return sendJson(res, flavor.badRequestStatus, httpErrorBody(flavor.name, flavor.badRequestStatus, parsed.message, parsed.param));
    const request = parsed.request;
    if (opts.servedModelName !== undefined && request.model !== null && request.model !== opts.servedModelName) {
      return sendJson(res, 404, modelNotFound(flavor.name, request.model));
    }
    const key = nextKey++;
    const entry = newEntry(requestId, arrivalAt, request.inputTokens);
    if (fault?.kind === 'headers-delay') entry.fault = 'headers-delay';
    const outputPlan = planOutput(request, flavor, opts, params.seed, requestId);
    let done = false;
    const gen = new Generation({
      flavor,
      clock,
      request,
      identity: {
        api,
        id: flavor.name === 'sglang' ? requestId : flavor.name === 'ollama' ? `chatcmpl-${key % 1000}` : responseId(api, requestId),
        created: Math.floor(clock.now() / 1000),
        model: request.model ?? modelName,
        toolCallId: `call_${requestId.slice(0, 24)}`,
      },
      plan: outputPlan,
      shape: {
        reasoningTokens: opts.reasoningTokens ?? 0,
        toolCalls: opts.toolCalls ?? false,
        tokensPerChunk: opts.tokensPerChunk ?? 1,
        forceContinuousUsage: opts.continuousUsage ?? false,
      },
      res,
      entry,
      fault: isStreamFault(fault) ? fault : null,
      onEnd: () => {
        if (done) return;
        done = true;
        active.delete(key);
        log.add(entry);
      },
      abortSequence: () => engine.abort(key),
    });
    active.set(key, { onStep: (i, last) => gen.onStep(i, last), abandon: () => gen.abandon(), res });
    // A step may write to a socket the client just reset, before 'close' arrives: not a server fault.
    res.on('error', () => undefined);
    res.on('close', () => {
      // Closed before the end: the client left. Free its batch slot.
      if (gen.finished) return;
      engine.abort(key);
      gen.abandon();
    });
    gen.begin();
    if (!gen.finished) engine.submit(key, request.inputTokens, outputPlan.stepTokens.length);
  };

  const startEmbedding = (arrivalAt: number, requestId: string, body: unknown, res: ServerResponse): void => {
    const parsed = parseEmbeddingRequest(body);
    if (!parsed.ok) return sendJson(res, flavor.badRequestStatus, httpErrorBody(flavor.name, flavor.badRequestStatus, parsed.message, parsed.param));
    const request = parsed.request;
    if (opts.servedModelName !== undefined && request.model !== null && request.model !== opts.servedModelName) {
      return sendJson(res, 404, modelNotFound(flavor.name, request.model));
    }
    const key = nextKey++;
    const inputTokens = request.inputs.reduce((a, b) => a + b, 0);
    const entry = newEntry(requestId, arrivalAt, inputTokens);
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      active.delete(key);
      log.add(entry);
    };
    active.set(key, {
      res,
      abandon: finish,
      onStep: () => {
        const now = clock.now();
        entry.firstContentAt = now;
        entry.lastContentAt = now;
        entry.contentChunks = 1;
        sendJson(res, 200, embeddingResponse(request, request.model ?? modelName, opts.embeddingDim ?? 16));
        finish();
      },
    });
    res.on('error', () => undefined);
    res.on('close', () => {
      if (finished) return;
      engine.abort(key);
      finish();
    });
    // Prefill only: the one "token" comes out of the step that completes the prefill.
    engine.submit(key, inputTokens, 1);
  };

  const serveGeneration = (kind: Api | 'embeddings', arrivalAt: number, requestId: string, req: IncomingMessage, res: ServerResponse): void => {
    const index = nextIndex++;
    const fault = plan.faultFor(index, (arrivalAt - startedAt) / 1000);
    if (fault && (fault.kind === 'refuse' || fault.kind === 'restart')) {
      log.add({ ...newEntry(requestId, arrivalAt, 0), fault: fault.kind });
      req.socket.destroy();
      listener.goDown(fault.seconds, fault.kind === 'restart');
      return;
    }
    readJsonBody(req, (err, body) => {
      if (res.destroyed) return;
      if (loading()) {
        log.add({ ...newEntry(requestId, arrivalAt, 0), fault: 'loading' });
        return sendJson(res, 503, httpErrorBody(flavor.name, 503, 'Loading model'));
      }
      if (answersBeforeGeneration(fault)) {
        log.add({ ...newEntry(requestId, arrivalAt, 0), fault: fault!.kind });
        const b = body as { stream?: unknown; model?: unknown } | undefined;
        return sendFaultAnswer(res, flavor.name, fault!, b?.stream === true, typeof b?.model === 'string' ? b.model : null);
      }
      if (err) return sendJson(res, err.status, httpErrorBody(flavor.name, err.status, err.message));
      const go = (): void => {
        if (res.destroyed || closing) return;
        if (kind === 'embeddings') startEmbedding(arrivalAt, requestId, body, res);
        else startGeneration(kind, arrivalAt, requestId, body, res, fault);
      };
      if (fault?.kind === 'headers-delay') {
        // Holds the headers (and the generation) back, as servers that wait for the first token do.
        listener.schedule(fault.seconds * 1000, () => {
          if (res.destroyed) log.add({ ...newEntry(requestId, arrivalAt, 0), fault: 'headers-delay' });
          go();
        });
        return;
      }
      go();
    });
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const arrivalAt = clock.now();
    // Down (refusing): a request on a kept-alive socket is dropped, as a dead server's would be.
    if (listener.down) return void req.socket.destroy();
    const requestId = headerRequestId(req) ?? randomUUID().replaceAll('-', '');
    res.setHeader('x-request-id', requestId);
    const path = (req.url ?? '/').split('?')[0];
    const answer: StaticAnswer | undefined = staticRoutes[path];
    const kind = path === '/v1/models' ? 'models' : GENERATION_ROUTES[path];
    if (!answer && !kind) return sendJson(res, 404, httpErrorBody(flavor.name, 404, `Not Found: ${path}`));
    const method = answer || kind === 'models' ? 'GET' : 'POST';
    if (req.method !== method) {
      res.setHeader('allow', method);
      return sendJson(res, 405, httpErrorBody(flavor.name, 405, `Method Not Allowed: use ${method} ${path}`));
    }
    if (closing) return sendJson(res, 503, httpErrorBody(flavor.name, 503, 'The simulator is shutting down.'));
    if (answer) {
      if (path === '/health' && loading()) return sendJson(res, 503, httpErrorBody(flavor.name, 503, 'Loading model'));
      return sendStatic(res, answer);
    }
    if (kind === 'models') return sendJson(res, 200, modelList(modelName, created));
    serveGeneration(kind!, arrivalAt, requestId, req, res);
  };

  const server = createServer({ noDelay: true }, handle);
  server.on('clientError', (_err, socket) => socket.destroy());
  const listener = new Listener(server, host, opts.port ?? 0, dropAll);
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
  listener.setPort(port);
  for (const rule of plan.windowRules()) {
    if (rule.kind === 'loading' || !('windowS' in rule.when)) continue;
    const [from, to] = rule.when.windowS;
    const isRestart = rule.kind === 'restart';
    listener.schedule(from * 1000 - (clock.now() - startedAt), () => listener.goDown(to - from, isRestart));
  }

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    sendLog: log.entries,
    params,
    flavor: flavor.name,
    close: async () => {
      if (closing) return;
      closing = true;
      engine.stop();
      const listening = listener.shutdown();
      // Open streams end now, truncated: a server that goes away mid-answer.
      dropAll();
      const closed = new Promise<void>((resolve) => (listening ? server.close(() => resolve()) : resolve()));
      server.closeAllConnections();
      await closed;
      await log.close();
    },
  };
}

const GENERATION_ROUTES: Record<string, Api | 'embeddings' | undefined> = {
  '/v1/chat/completions': 'chat',
  '/v1/completions': 'completions',
  '/v1/embeddings': 'embeddings',
};
