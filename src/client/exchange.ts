// One request on the wire, from dispatch to the last byte: timers, the body, the record.
// It never throws: every way a request can end becomes a RequestRecord.
//
// Timing: sentAt is taken right before dispatch; each network chunk's arrival is read from
// the clock once, before it is parsed, and every event in it shares that offset.
// Timeouts: `deadlineMs` bounds the whole request (some servers hold the headers until the
// first token, so there is no separate header timeout); `idleTimeoutMs` bounds the silence
// between two body chunks once the headers arrived.

import type { Dispatcher } from 'undici';
import type { Clock, EpochMs, ErrorKind, RequestError, RequestRecord, RequestSpec } from '../types.js';
import { clipMessage, describeNetworkError, failure, httpErrorMessage, scrub } from './failure.js';
import { interpretJsonAnswer } from './json-answer.js';
import { buildRecord } from './record.js';
import { SseParser } from './sse.js';
import { StreamInterpreter } from './stream.js';
import type { StreamOutcome } from './stream.js';

/** How much of a non-streaming answer (an HTTP error body) is read for its message. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** The longest wait for the body's end once [DONE] arrived. */
const AFTER_DONE_GRACE_MS = 1_000;

/** setTimeout's largest delay; a longer one would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

function timerMs(ms: number): number {
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 1), MAX_TIMER_MS) : MAX_TIMER_MS;
}

type AbortKind = Extract<ErrorKind, 'deadline' | 'idle_timeout' | 'cancelled'>;

export interface ExchangeRequest {
  dispatcher: Dispatcher;
  path: string;
  headers: Record<string, string>;
  body: string;
  spec: RequestSpec;
  scheduledAt: EpochMs | null;
  deadlineMs: number;
  idleTimeoutMs: number;
  signal: AbortSignal | undefined;
  clock: Clock;
  maxEventBytes: number;
  secrets: readonly string[];
  /** The request asked for a non-streaming JSON answer (`stream: false`, embeddings). */
  expectJson?: boolean;
  /** A tokenizer for outputs without usage (SendOptions.countOutputTokens). */
  countOutputTokens?: (text: string) => number;
  crossCheckTokens?: boolean;
  /**
   * Requests waiting in the dispatcher for a free connection (undici Pool stats `queued`).
   * Read around the dispatch: if it grew, this request queued behind others in the client,
   * and its latency includes that wait. Absent when no wait is possible.
   */
  connectionQueueLength?: () => number;
}

function headerValue(value: string | string[] | undefined): string {
  if (Array.isArray(value)) return value[0] ?? '';
  return value ?? '';
}

const ABORT_MESSAGES: Record<AbortKind, (r: ExchangeRequest) => string> = {
  deadline: (r) => `no complete response within the request deadline of ${r.deadlineMs} ms`,
  idle_timeout: (r) => `no bytes from the server for ${r.idleTimeoutMs} ms (idle timeout)`,
  cancelled: () => 'cancelled before the response completed',
};

export function runExchange(req: ExchangeRequest): Promise<RequestRecord> {
  return new Promise<RequestRecord>((resolve) => new Exchange(req, resolve).start());
}

class Exchange {
  private readonly controller = new AbortController();
  private sentAt: EpochMs = 0;
  private headersMs: number | null = null;
  private abortKind: AbortKind | null = null;
  private queued = false;
  private settled = false;
  private deadlineTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly onSignalAbort = (): void => this.abort('cancelled');

  constructor(
    private readonly req: ExchangeRequest,
    private readonly resolve: (record: RequestRecord) => void,
  ) {}

  start(): void {
    const { req } = this;
    if (req.signal?.aborted) {
      this.sentAt = req.clock.now();
      this.settle(null, null, this.abortError('cancelled'));
      return;
    }
    req.signal?.addEventListener('abort', this.onSignalAbort, { once: true });
    this.deadlineTimer = setTimeout(() => this.abort('deadline'), timerMs(req.deadlineMs));
    this.sentAt = req.clock.now();
    const queuedBefore = req.connectionQueueLength?.() ?? 0;
    let pending: Promise<Dispatcher.ResponseData>;
    try {
      // undici dispatches synchronously: on return the request is on a connection or in the queue.
      pending = req.dispatcher.request({
        method: 'POST',
        path: req.path,
        headers: req.headers,
        body: req.body,
        signal: this.controller.signal,
        // Our own deadline and idle timers decide; undici's would misclassify.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
    } catch (err) {
      this.finishWithoutResponse(err);
      return;
    }
    this.queued = (req.connectionQueueLength?.() ?? 0) > queuedBefore;
    pending.then(
      (response) => this.onResponse(response),
      (err: unknown) => this.finishWithoutResponse(err),
    );
  }

  private abort(kind: AbortKind): void {
    if (this.abortKind === null) this.abortKind = kind;
    this.controller.abort();
  }

  private abortError(kind: AbortKind): RequestError {
    return failure(kind, ABORT_MESSAGES[kind](this.req), this.req.secrets);
  }

  private finishWithoutResponse(err: unknown): void {
    const error = this.abortKind !== null ? this.abortError(this.abortKind) : failure('connect', describeNetworkError(err, this.req.secrets), this.req.secrets);
    this.cleanup();
    this.settle(null, null, error);
  }

  private onResponse(response: Dispatcher.ResponseData): void {
    this.headersMs = this.req.clock.now() - this.sentAt;
    const status = response.statusCode;
    if (status < 200 || status > 299) {
      this.readShortBody(response.body, (text) => failure('http_status', httpErrorMessage(status, text, this.req.secrets), this.req.secrets, status));
      return;
    }
    const contentType = headerValue(response.headers['content-type']);
    const type = contentType.toLowerCase();
    if (this.req.expectJson === true && !type.includes('text/event-stream') && type.includes('json')) {
      this.readJsonBody(response.body);
      return;
    }
    if (!type.includes('text/event-stream')) {
      this.readShortBody(response.body, (text) => {
        const excerpt = clipMessage(text, 200, this.req.secrets);
        const got = contentType === '' ? 'no content type' : `'${contentType}'`;
        return failure('malformed', `expected a text/event-stream answer, got ${got}: ${excerpt}`, this.req.secrets);
      });
      return;
    }
    this.readStream(response.body);
  }

  /** Reads up to MAX_ERROR_BODY_BYTES of a non-streaming answer, then settles with its error. */
  private readShortBody(body: Dispatcher.ResponseData['body'], toError: (text: string) => RequestError): void {
    const parts: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      this.cleanup();
      const error = toError(Buffer.concat(parts).toString('utf8'));
      setImmediate(() => this.settle(this.headersMs, null, error)); // see readStream's 'end'
    };
    body.on('data', (chunk: Buffer) => {
      if (done) return;
      parts.push(chunk);
      size += chunk.length;
      if (size >= MAX_ERROR_BODY_BYTES) {
        finish();
        body.destroy();
      }
    });
    body.on('end', finish);
    body.on('error', finish);
  }

  /** A whole non-streaming answer: it "arrives" with its last byte. Capped at maxEventBytes. */
  private readJsonBody(body: Dispatcher.ResponseData['body']): void {
    const { req } = this;
    const parts: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    this.idleTimer = setTimeout(() => this.abort('idle_timeout'), timerMs(req.idleTimeoutMs));
    body.on('data', (chunk: Buffer) => {
      this.idleTimer?.refresh();
      if (tooLarge) return;
      size += chunk.length;
      if (size > req.maxEventBytes) {
        tooLarge = true;
        parts.length = 0;
        return;
      }
      parts.push(chunk);
    });
    body.on('end', () => {
      const endMs = req.clock.now() - this.sentAt;
      this.cleanup();
      const answer = tooLarge
        ? null
        : interpretJsonAnswer(req.spec.api, Buffer.concat(parts).toString('utf8'), endMs, req.secrets);
      const error = answer === null ? failure('malformed', `the answer is larger than ${req.maxEventBytes} bytes (the cap on one answer)`, req.secrets) : answer.error;
      const redacted = error === null ? null : { ...error, message: scrub(error.message, req.secrets) };
      setImmediate(() => this.settle(this.headersMs, endMs, redacted, answer ?? undefined)); // see readStream's 'end'
    });
    body.on('error', (err: unknown) => {
      this.cleanup();
      const cause = this.abortKind !== null ? this.abortError(this.abortKind) : failure('truncated', `the connection broke mid-answer: ${describeNetworkError(err, req.secrets)}`, req.secrets);
      this.settle(this.headersMs, null, cause);
    });
  }

  private readStream(body: Dispatcher.ResponseData['body']): void {
    const { req } = this;
    const interpreter = new StreamInterpreter(req.secrets);
    let offsetMs = 0;
    const parser = new SseParser(
      (data) => interpreter.onEvent(data, offsetMs),
      (detail) => interpreter.onMalformed(detail),
      req.maxEventBytes,
    );
    this.idleTimer = setTimeout(() => this.abort('idle_timeout'), timerMs(req.idleTimeoutMs));
    // The record settles at the body's end, not at [DONE]: settling earlier lets the next
    // request find this socket still busy and open a new connection (a handshake in its TTFT).
    // streamEndMs is still the arrival of [DONE].
    let doneAtMs: number | null = null;
    body.on('data', (chunk: Buffer) => {
      const now = req.clock.now();
      if (doneAtMs !== null) return;
      this.idleTimer?.refresh();
      offsetMs = now - this.sentAt;
      parser.push(chunk);
      if (interpreter.sawDone) {
        doneAtMs = offsetMs;
        // Nothing is due after [DONE] but the end: do not wait long for a server that lingers.
        this.clearIdleTimer();
        this.idleTimer = setTimeout(() => this.controller.abort(), Math.min(timerMs(req.idleTimeoutMs), AFTER_DONE_GRACE_MS));
      }
    });
    body.on('end', () => {
      const endMs = req.clock.now() - this.sentAt;
      this.cleanup();
      if (doneAtMs === null) parser.end();
      const error = interpreter.sawDone
        ? this.streamError(interpreter, null)
        : this.streamError(interpreter, failure('truncated', 'the stream ended without [DONE]', req.secrets));
      // undici marks the socket free only after 'end' has been emitted; resolving a turn
      // later lets a closed loop's next request reuse it instead of opening another one.
      setImmediate(() => this.settle(this.headersMs, doneAtMs ?? endMs, error, interpreter.outcome()));
    });
    body.on('error', (err: unknown) => {
      this.cleanup();
      let cause: RequestError | null;
      if (doneAtMs !== null) cause = null; // the stream was complete; only its closing failed
      else if (this.abortKind !== null) cause = this.abortError(this.abortKind);
      else cause = failure('truncated', `the connection broke mid-stream: ${describeNetworkError(err, req.secrets)}`, req.secrets);
      this.settle(this.headersMs, doneAtMs, this.streamError(interpreter, cause), interpreter.outcome());
    });
  }

  /** An error seen inside the stream (error event, malformed event) stands over a later cause. */
  private streamError(interpreter: StreamInterpreter, otherwise: RequestError | null): RequestError | null {
    const seen = interpreter.firstError;
    if (seen === null) return otherwise;
    return { kind: seen.kind, message: scrub(seen.message, this.req.secrets) };
  }

  private clearIdleTimer(): void {
    if (this.idleTimer !== null) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
  }

  private cleanup(): void {
    this.clearIdleTimer();
    if (this.deadlineTimer !== null) {
      clearTimeout(this.deadlineTimer);
      this.deadlineTimer = null;
    }
    this.req.signal?.removeEventListener('abort', this.onSignalAbort);
  }

  private settle(headersMs: number | null, streamEndMs: number | null, error: RequestError | null, stream?: StreamOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve(
      buildRecord({
        spec: this.req.spec,
        scheduledAt: this.req.scheduledAt,
        sentAt: this.sentAt,
        headersMs,
        streamEndMs,
        stream: stream ?? null,
        error,
        countOutputTokens: this.req.countOutputTokens,
        crossCheckTokens: this.req.crossCheckTokens,
        queuedForConnection: this.queued,
      }),
    );
  }
}
