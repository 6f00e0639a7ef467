// One generation request between its acceptance and its last byte: turns the engine's steps
// into chunks (reasoning / content / tool-call text, several tokens per chunk), writes them in
// the flavor's dialect, applies a mid-stream fault, and fills the request's send-log entry.

import type { ServerResponse } from 'node:http';
import type { Clock } from '../types.js';
import { httpErrorBody } from './error-shapes.js';
import type { FaultRule } from './fault-spec.js';
import type { FlavorTraits } from './flavors.js';
import type { OutputPlan } from './output-plan.js';
import type { GenerationRequest } from './request-parse.js';
import type { SendLogEntry } from './send-log.js';
import { llamaTimings, StreamEncoder, type ChunkPiece, type StreamIdentity } from './stream-events.js';
import { fullResponse } from './full-response.js';
import { tokenText, usage } from './wire.js';

/** Text modes of the answer (chat only): reasoning first, then content or tool-call arguments. */
export interface TextShape {
  reasoningTokens: number;
  toolCalls: boolean;
  /** Engine steps per chunk. */
  tokensPerChunk: number;
  /** Cumulative usage on every chunk, whatever the request asked. */
  forceContinuousUsage: boolean;
}

/** Faults applied inside an accepted answer. */
const STREAM_FAULTS = new Set(['reset', 'stall', 'bad-json', 'no-data', 'stream-error', 'stream-error-done', 'stream-error-nodone', 'no-usage', 'huge-chunk']);

export function isStreamFault(rule: FaultRule | null): boolean {
  return rule !== null && STREAM_FAULTS.has(rule.kind);
}

export interface GenerationInit {
  flavor: FlavorTraits;
  clock: Clock;
  request: GenerationRequest;
  identity: StreamIdentity;
  plan: OutputPlan;
  shape: TextShape;
  res: ServerResponse;
  entry: SendLogEntry;
  /** A stream fault to apply (see isStreamFault), or null. */
  fault: FaultRule | null;
  /** Called once when the answer ends (completed, cut by a fault, or abandoned). */
  onEnd: () => void;
  /** Frees the engine's sequence (the answer was cut short). */
  abortSequence: () => void;
}

export class Generation {
  private readonly encoder: StreamEncoder;
  private readonly req: GenerationRequest;
  /** Tokens produced by the engine so far / already written in chunks. */
  private produced = 0;
  private written = 0;
  private stepsPending = 0;
  private ended = false;
  /** Non-streaming: the text so far, by part. */
  private readonly text = { reasoning: '', content: '', toolArgs: '' };
  /** While stalled, chunks wait here and go out together when the stall ends. */
  private stalled: string[] | null = null;
  private stallTimer: NodeJS.Timeout | null = null;
  private stallDone = false;

  constructor(private readonly g: GenerationInit) {
    this.req = g.request;
    const noUsage = g.fault?.kind === 'no-usage';
    if (noUsage) g.entry.fault = 'no-usage';
    this.encoder = new StreamEncoder(g.flavor, g.identity, {
      includeUsage: g.request.includeUsage && !noUsage,
      continuousUsage: (g.request.continuousUsage || g.shape.forceContinuousUsage) && !noUsage,
      noUsage,
    });
  }

  /** Streams: headers (and TGI's opening comment) now. A reset before the first chunk happens here. */
  begin(): void {
    const { res } = this.g;
    if (!this.req.stream) return;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    const opening = this.encoder.opening();
    if (opening) res.write(opening);
    else res.flushHeaders();
    const f = this.g.fault;
    if (this.faultAt('reset', 0)) this.cut('reset');
    else if (f && f.afterChunks === 0 && f.kind.startsWith('stream-error')) this.streamError();
    else if (this.faultAt('stall', 0)) this.startStall();
  }

  /** The engine finished step `stepIndex` of this answer. */
  onStep(stepIndex: number, last: boolean): void {
    if (this.ended) return;
    this.produced += this.g.plan.stepTokens[stepIndex];
    this.stepsPending++;
    if (!this.req.stream) {
      if (last) this.sendWhole();
      return;
    }
    if (this.stepsPending < this.g.shape.tokensPerChunk && !last) return;
    this.stepsPending = 0;
    this.writeChunk(last);
  }

  /** The client left or the server closes: stop without writing more. */
  abandon(): void {
    this.end();
  }

  get finished(): boolean {
    return this.ended;
  }

  private writeChunk(last: boolean): void {
    const { entry, clock, fault } = this.g;
    const chunkIndex = entry.contentChunks; // chunks already written
    const from = this.written;
    this.written = this.produced;
    const piece = this.piece(from, this.written);
    const sent = usage(this.req.inputTokens, this.written);
    let text = chunkIndex === 0 ? this.encoder.lead() : '';
    const timings = this.timingsIfDue(last, clock.now());
    let body = this.encoder.content(piece, sent, last ? { finish: this.finishReason(), usage: sent, ...(timings ? { timings } : {}) } : null);
    if (fault && fault.afterChunks === chunkIndex && (fault.kind === 'bad-json' || fault.kind === 'no-data')) {
      body = fault.kind === 'bad-json' ? breakJson(body) : dropDataPrefix(body);
      entry.fault = fault.kind;
    }
    text += body;
    this.emit(text, this.written);
    if (last) {
      this.finishStream();
      return;
    }
    const after = chunkIndex + 1;
    if (this.faultAt('reset', after)) return this.cut('reset');
    if (fault && fault.afterChunks === after && fault.kind.startsWith('stream-error')) return this.streamError();
    if (this.faultAt('stall', after) && !this.stallDone) this.startStall();
  }

  /** Writes (or, while stalled, queues) a chunk and stamps the send log at the moment of the write. */
  private emit(text: string, tokensSent: number): void {
    const { entry, clock, res } = this.g;
    if (this.stalled) {
      this.stalled.push(text);
      return;
    }
    const now = clock.now();
    if (entry.firstContentAt === null) entry.firstContentAt = now;
    entry.lastContentAt = now;
    entry.contentChunks++;
    entry.outputTokens = tokensSent;
    res.write(text);
  }

  /** The last chunk (with the usage chunk and [DONE] the encoder appended) is out: close the body. */
  private finishStream(): void {
    if (this.stalled) {
      this.pendingEnd = true;
      return;
    }
    this.g.res.end();
    this.end();
  }

  private pendingEnd = false;

  private startStall(): void {
    const { fault, entry } = this.g;
    if (!fault) return;
    entry.fault = 'stall';
    this.stalled = [];
    this.stallTimer = setTimeout(() => {
      this.stallTimer = null;
      this.stallDone = true;
      const queued = this.stalled ?? [];
      this.stalled = null;
      if (this.ended) return;
      // The backlog goes out at once, as a server that wakes up does; each chunk is logged.
      for (const text of queued) this.emit(text, this.written);
      if (this.pendingEnd) {
        this.g.res.end();
        this.end();
      }
    }, fault.seconds * 1000);
  }

  private streamError(): void {
    const { fault, entry, res } = this.g;
    if (!fault) return;
    entry.fault = fault.kind;
    const variant = fault.kind === 'stream-error-done' ? 'done' : fault.kind === 'stream-error-nodone' ? 'no-done' : 'flavor';
    const ev = this.encoder.errorEvent('The simulator injected an error mid-stream.', variant);
    this.g.abortSequence();
    if (ev === null) {
      // TRT-LLM: the connection drops with no event.
      resetAfterFlush(res);
      this.end();
      return;
    }
    res.end(ev.text + (ev.thenDone ? this.encoder.done() : ''));
    this.end();
  }

  private cut(kind: 'reset'): void {
    this.g.entry.fault = kind;
    this.g.abortSequence();
    resetAfterFlush(this.g.res);
    this.end();
  }

  private sendWhole(): void {
    const { res, entry, clock, fault, flavor, identity } = this.g;
    const now = clock.now();
    if (fault?.kind === 'reset') return this.cut('reset');
    if (fault?.kind === 'no-usage') entry.fault = 'no-usage';
    if (fault && fault.kind.startsWith('stream-error')) {
      entry.fault = fault.kind;
      sendJsonText(res, 500, JSON.stringify(httpErrorBody(flavor.name, 500, 'The simulator injected an error during generation.')));
      return this.end();
    }
    const piece = this.piece(0, this.produced);
    this.text.reasoning = piece.reasoning;
    this.text.content = piece.content;
    this.text.toolArgs = piece.toolArgs;
    const u = usage(this.req.inputTokens, this.produced);
    const body = fullResponse(flavor, identity, this.text, this.finishReason(), fault?.kind === 'no-usage' ? null : u, this.timingsIfDue(true, now, now));
    let text = JSON.stringify(body);
    if (fault?.kind === 'bad-json') {
      text = text.slice(0, Math.floor(text.length / 2));
      entry.fault = 'bad-json';
    }
    const write = (): void => {
      const at = clock.now();
      entry.firstContentAt = at;
      entry.lastContentAt = at;
      entry.contentChunks = 1;
      entry.outputTokens = this.produced;
      sendJsonText(res, 200, text);
      this.end();
    };
    if (fault?.kind === 'stall') {
      entry.fault = 'stall';
      this.stallTimer = setTimeout(() => {
        this.stallTimer = null;
        if (!this.ended) write();
      }, fault.seconds * 1000);
      return;
    }
    write();
  }

  private piece(from: number, to: number): ChunkPiece {
    const p: ChunkPiece = { reasoning: '', content: '', toolArgs: '', opensToolCall: false };
    const chat = this.req.api === 'chat';
    const reasoning = chat ? this.g.shape.reasoningTokens : 0;
    for (let i = from; i < to; i++) {
      const text = this.tokenText(i);
      if (i < reasoning) p.reasoning += text;
      else if (chat && this.g.shape.toolCalls) {
        if (i === reasoning) p.opensToolCall = true;
        p.toolArgs += text;
      } else p.content += text;
    }
    return p;
  }

  private tokenText(i: number): string {
    const { fault, plan, flavor } = this.g;
    if (i === 0 && fault?.kind === 'huge-chunk') {
      this.g.entry.fault = 'huge-chunk';
      return ' ' + 'x'.repeat(Math.round(fault.megabytes * 1_000_000) - 1);
    }
    // TGI counts the EOS token and streams it with empty text in the finish chunk.
    if (flavor.name === 'tgi' && plan.finish === 'stop' && i === plan.tokens - 1) return '';
    return tokenText(i);
  }

  private finishReason(): 'length' | 'stop' | 'tool_calls' {
    const { plan, shape } = this.g;
    if (plan.finish === 'stop' && shape.toolCalls && this.req.api === 'chat' && plan.tokens > shape.reasoningTokens) return 'tool_calls';
    return plan.finish;
  }

  private timingsIfDue(last: boolean, now: number, first: number | null = this.g.entry.firstContentAt): ReturnType<typeof llamaTimings> | undefined {
    if (!last || !this.g.flavor.name.startsWith('llamacpp')) return undefined;
    const { entry } = this.g;
    const firstAt = first ?? now;
    return llamaTimings(this.req.inputTokens, firstAt - entry.arrivalAt, this.produced, now - firstAt);
  }

  private faultAt(kind: string, chunksWritten: number): boolean {
    const f = this.g.fault;
    return f !== null && f.kind === kind && f.afterChunks === chunksWritten;
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = null;
    this.g.onEnd();
  }
}

/** Sends a TCP reset once the chunks already written have left, so the client gets them and then the reset. */
function resetAfterFlush(res: ServerResponse): void {
  const socket = res.socket;
  if (!socket || socket.destroyed) return void res.destroy();
  socket.write('', () => (socket.destroyed ? undefined : socket.resetAndDestroy()));
}

/** Cuts the first event's JSON in half: `data: {"id":"cha` — invalid JSON in a well-framed event. */
function breakJson(events: string): string {
  const firstEnd = events.indexOf('\n\n');
  const first = events.slice(0, firstEnd);
  return first.slice(0, Math.max(8, Math.floor(first.length / 2))) + events.slice(firstEnd);
}

/** Removes the `data:` field name from the first event: a bare JSON line. */
function dropDataPrefix(events: string): string {
  return events.replace(/^data: ?/, '');
}

function sendJsonText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
