// The step model of a continuous-batching engine (vLLM V1-like), free of HTTP and of time.
// A driver calls planStep() to learn how long the next step takes, waits that long (in
// virtual or real time), then calls completeStep() to receive the tokens the step produced.
// Both the virtual-time simulation and the real-time HTTP server drive this one class, so
// they share one performance model.

import { assertValidParams, driftFactor, type EngineParams } from './engine-params.js';
import { mulberry32, normalSource } from './random.js';

/** Receives each generated token: the sequence's key, the token's index (0 = first), and whether it was the last. */
export type TokenSink = (key: number, tokenIndex: number, last: boolean) => void;

interface Sequence {
  key: number;
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens already prefilled. */
  prefilled: number;
  /** Output tokens already produced. */
  generated: number;
  /** Prompt tokens this sequence prefills in the planned step. */
  chunk: number;
  aborted: boolean;
}

export class BatchEngine {
  readonly params: Readonly<EngineParams>;
  /** Multiplies every step's cost: 1 / (speed × this start's drift factor). */
  readonly costScale: number;
  private readonly waiting: Sequence[] = [];
  private waitingHead = 0;
  private running: Sequence[] = [];
  private readonly byKey = new Map<number, Sequence>();
  private readonly jitter: () => number;
  private plannedPrefill: Sequence[] = [];
  private plannedDecode: Sequence[] = [];
  private stepPlanned = false;

  constructor(params: EngineParams) {
    assertValidParams(params);
    this.params = Object.freeze({ ...params });
    this.costScale = 1 / (params.speed * driftFactor(params.drift, params.driftSeed));
    this.jitter = makeJitter(params.noise, params.seed);
  }

  /** Queues a request. Lengths below 1 count as 1 (a prompt has at least a BOS token; output = max_tokens ≥ 1). */
  add(key: number, inputTokens: number, outputTokens: number): void {
    if (this.byKey.has(key)) throw new Error(`sequence key ${key} is already in the engine`);
    const seq: Sequence = {
      key,
      inputTokens: Math.max(1, Math.round(inputTokens)),
      outputTokens: Math.max(1, Math.round(outputTokens)),
      prefilled: 0,
      generated: 0,
      chunk: 0,
      aborted: false,
    };
    this.byKey.set(key, seq);
    this.waiting.push(seq);
  }

  /** Drops a queued or running sequence (client gone); its batch slot is free from the next step. */
  abort(key: number): boolean {
    const seq = this.byKey.get(key);
    if (!seq) return false;
    seq.aborted = true;
    this.byKey.delete(key);
    return true;
  }

  /** True while any sequence waits or runs. */
  hasWork(): boolean {
    return this.byKey.size > 0;
  }

  /** Sequences holding a batch slot (running or being prefilled). */
  runningCount(): number {
    let n = 0;
    for (const s of this.running) if (!s.aborted) n++;
    return n;
  }

  /** Sequences waiting for a batch slot. */
  queuedCount(): number {
    let n = 0;
    for (let i = this.waitingHead; i < this.waiting.length; i++) if (!this.waiting[i].aborted) n++;
    return n;
  }

  /**
   * Schedules the next step and returns its duration in ms, or null when there is nothing to
   * do. Like vLLM's scheduler: running decodes first (one token of budget each), then
   * unfinished prefills, then new sequences from the queue while slots and budget remain;
   * a prompt larger than the remaining budget is prefilled in chunks over several steps.
   */
  planStep(): number | null {
    if (this.stepPlanned) throw new Error('planStep called twice without completeStep');
    this.running = this.running.filter((s) => !s.aborted);
    const prefill: Sequence[] = [];
    const decode: Sequence[] = [];
    let budget = this.params.maxBatchedTokens;
    for (const s of this.running) if (s.prefilled >= s.inputTokens) decode.push(s);
    budget -= decode.length;
    for (const s of this.running) {
      if (budget <= 0) break;
      if (s.prefilled < s.inputTokens) budget -= this.assignChunk(s, budget, prefill);
    }
    while (budget > 0 && this.running.length < this.params.maxBatch) {
      const next = this.nextWaiting();
      if (!next) break;
      this.running.push(next);
      budget -= this.assignChunk(next, budget, prefill);
    }
    if (prefill.length === 0 && decode.length === 0) return null;

    let prefillTokens = 0;
    for (const s of prefill) prefillTokens += s.chunk;
    const p = this.params;
    const cost =
      (prefillTokens > 0 ? p.prefillBaseMs + p.prefillMsPerToken * prefillTokens : 0) +
      (decode.length > 0 ? p.decodeBaseMs + p.decodePerSeqMs * decode.length : 0);
    this.plannedPrefill = prefill;
    this.plannedDecode = decode;
    this.stepPlanned = true;
    return cost * this.costScale * this.jitter();
  }

  /** Finishes the planned step: reports its tokens to `sink` and frees the slots of finished sequences. */
  completeStep(sink: TokenSink): void {
    if (!this.stepPlanned) throw new Error('completeStep called without planStep');
    this.stepPlanned = false;
    // Decodes first: they were ahead in the batch. A prefill that completes yields the first token.
    for (const s of this.plannedDecode) {
      if (s.aborted) continue;
      s.generated++;
      this.emit(s, sink);
    }
    for (const s of this.plannedPrefill) {
      if (s.aborted) continue;
      s.prefilled += s.chunk;
      s.chunk = 0;
      if (s.prefilled >= s.inputTokens) {
        s.generated = 1;
        this.emit(s, sink);
      }
    }
    this.plannedDecode = [];
    this.plannedPrefill = [];
    this.running = this.running.filter((s) => !s.aborted && s.generated < s.outputTokens);
  }

  private emit(s: Sequence, sink: TokenSink): void {
    const last = s.generated >= s.outputTokens;
    if (last) this.byKey.delete(s.key);
    sink(s.key, s.generated - 1, last);
  }

  private assignChunk(s: Sequence, budget: number, prefill: Sequence[]): number {
    s.chunk = Math.min(s.inputTokens - s.prefilled, budget);
    prefill.push(s);
    return s.chunk;
  }

  private nextWaiting(): Sequence | null {
    while (this.waitingHead < this.waiting.length) {
      const s = this.waiting[this.waitingHead++];
      if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
        this.waiting.splice(0, this.waitingHead);
        this.waitingHead = 0;
      }
      if (!s.aborted) return s;
    }
    return null;
  }
}

/** Per-step multiplicative jitter: lognormal with the given sigma and mean 1, so noise does not change the average speed. */
function makeJitter(sigma: number, seed: number): () => number {
  if (sigma === 0) return () => 1;
  const normal = normalSource(mulberry32(seed));
  const shift = (sigma * sigma) / 2;
  return () => Math.exp(sigma * normal() - shift);
}
