import { describe, expect, it } from 'vitest';
import {
  BatchEngine,
  DEFAULT_ENGINE_PARAMS,
  driftFactor,
  findParamProblem,
  simulateVirtual,
  type EngineParams,
  type VirtualRequest,
  type VirtualTiming,
} from '../../src/sim/engine.js';

const QUIET: EngineParams = { ...DEFAULT_ENGINE_PARAMS, noise: 0, drift: 0 };

function tpot(t: VirtualTiming): number {
  return (t.lastTokenMs - t.firstTokenMs) / (t.tokenTimesMs.length - 1);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function same(n: number, input: number, output: number): VirtualRequest[] {
  return Array.from({ length: n }, (_, i) => ({ id: `r${i}`, inputTokens: input, outputTokens: output }));
}

describe('simulateVirtual: one request at low load', () => {
  it('gives TTFT = one prefill step and TPOT = one decode step of one sequence', () => {
    const [t] = simulateVirtual(QUIET, [{ id: 'a', inputTokens: 256, outputTokens: 5 }]);
    expect(t.id).toBe('a');
    expect(t.arrivalMs).toBe(0);
    expect(t.firstTokenMs).toBeCloseTo(20 + 0.12 * 256, 9);
    expect(t.tokenTimesMs).toHaveLength(5);
    expect(t.tokenTimesMs[0]).toBe(t.firstTokenMs);
    expect(t.tokenTimesMs[4]).toBe(t.lastTokenMs);
    expect(tpot(t)).toBeCloseTo(12 + 0.25, 9);
  });

  it('has a small-GPU-server profile by default: TTFT 30–100 ms for 256 tokens, TPOT 10–20 ms', () => {
    const [t] = simulateVirtual(DEFAULT_ENGINE_PARAMS, [{ id: 'a', inputTokens: 256, outputTokens: 64 }]);
    expect(t.firstTokenMs).toBeGreaterThan(30);
    expect(t.firstTokenMs).toBeLessThan(100);
    expect(tpot(t)).toBeGreaterThan(10);
    expect(tpot(t)).toBeLessThan(20);
  });

  it('takes twice as long per token at speed 0.5 as at speed 1', () => {
    const req = [{ id: 'a', inputTokens: 300, outputTokens: 50 }];
    const [fast] = simulateVirtual({ ...QUIET, speed: 1 }, req);
    const [slow] = simulateVirtual({ ...QUIET, speed: 0.5 }, req);
    expect(tpot(slow) / tpot(fast)).toBeCloseTo(2, 9);
    expect(slow.firstTokenMs / fast.firstTokenMs).toBeCloseTo(2, 9);
  });

  it('grows TTFT with the prompt, prefilling prompts above the step budget in chunks', () => {
    const ttft = (n: number): number => simulateVirtual(QUIET, [{ id: 'a', inputTokens: n, outputTokens: 1 }])[0].firstTokenMs;
    expect(ttft(64)).toBeLessThan(ttft(256));
    expect(ttft(256)).toBeLessThan(ttft(1024));
    expect(ttft(1024)).toBeCloseTo(20 + 0.12 * 1024, 9);
    // 5000 tokens with a 2048-token budget: three steps, each paying the base cost.
    expect(ttft(5000)).toBeCloseTo(3 * 20 + 0.12 * 5000, 9);
  });

  it('emits exactly outputTokens tokens, with lengths below 1 counted as 1', () => {
    const out = simulateVirtual(QUIET, [
      { id: 'a', inputTokens: 10, outputTokens: 1 },
      { id: 'b', inputTokens: 0, outputTokens: 0 },
      { id: 'c', inputTokens: 10, outputTokens: 7 },
    ]);
    expect(out.map((t) => t.tokenTimesMs.length)).toEqual([1, 1, 7]);
    expect(out[0].firstTokenMs).toBe(out[0].lastTokenMs);
  });
});

describe('simulateVirtual: scheduling', () => {
  it('admits a request that arrives during a step at the next step, mixing its prefill with running decodes', () => {
    const [a, b] = simulateVirtual(QUIET, [
      { id: 'a', inputTokens: 100, outputTokens: 3, arrivalMs: 0 },
      { id: 'b', inputTokens: 100, outputTokens: 2, arrivalMs: 5 },
    ]);
    const step1 = 20 + 0.12 * 100; // a prefills alone
    const step2 = 20 + 0.12 * 100 + 12 + 0.25 * 1; // b prefills while a decodes
    const step3 = 12 + 0.25 * 2; // both decode
    expect(a.firstTokenMs).toBeCloseTo(step1, 9);
    expect(b.arrivalMs).toBe(5);
    expect(b.firstTokenMs).toBeCloseTo(step1 + step2, 9);
    expect(a.tokenTimesMs[1]).toBeCloseTo(step1 + step2, 9);
    expect(a.lastTokenMs).toBeCloseTo(step1 + step2 + step3, 9);
    expect(b.lastTokenMs).toBeCloseTo(step1 + step2 + step3, 9);
  });

  it('stays idle until the next arrival and returns timings in input order', () => {
    const out = simulateVirtual(QUIET, [
      { id: 'late', inputTokens: 10, outputTokens: 2, arrivalMs: 1000 },
      { id: 'early', inputTokens: 10, outputTokens: 2, arrivalMs: 0 },
    ]);
    expect(out.map((t) => t.id)).toEqual(['late', 'early']);
    expect(out[0].firstTokenMs).toBeCloseTo(1000 + 20 + 1.2, 9);
    expect(out[1].firstTokenMs).toBeCloseTo(20 + 1.2, 9);
  });

  it('in a closed loop, sends each next request when a user finished, plus think time', () => {
    const out = simulateVirtual(QUIET, same(6, 50, 4), { kind: 'closed', concurrency: 2, thinkMs: 100 });
    expect(out[0].arrivalMs).toBe(0);
    expect(out[1].arrivalMs).toBe(0);
    // Request 2 goes out when the first user (request 0) comes back.
    expect(out[2].arrivalMs).toBeCloseTo(Math.min(out[0].lastTokenMs, out[1].lastTokenMs) + 100, 9);
    for (const t of out) expect(t.firstTokenMs).toBeGreaterThan(t.arrivalMs);
    // Never more than 2 in flight.
    for (const t of out) {
      const inFlight = out.filter((u) => u.arrivalMs <= t.arrivalMs && u.lastTokenMs > t.arrivalMs).length;
      expect(inFlight).toBeLessThanOrEqual(2);
    }
  });

  it('raises latency with load and saturates beyond maxBatch: decodes cap at maxBatch, the rest queue', () => {
    const p: EngineParams = { ...QUIET, maxBatch: 16 };
    const byConcurrency = [1, 4, 16, 32, 64].map((c) => {
      const out = simulateVirtual(p, same(128, 128, 64), { kind: 'closed', concurrency: c });
      const end = Math.max(...out.map((t) => t.lastTokenMs));
      // Sequences producing a token in the same step never exceed maxBatch.
      const perStep = new Map<number, number>();
      for (const t of out) for (const x of t.tokenTimesMs) perStep.set(x, (perStep.get(x) ?? 0) + 1);
      return {
        c,
        ttft: median(out.map((t) => t.firstTokenMs - t.arrivalMs)),
        tpot: median(out.map(tpot)),
        throughput: (128 * 64) / end,
        widestStep: Math.max(...perStep.values()),
      };
    });
    for (const r of byConcurrency) expect(r.widestStep).toBeLessThanOrEqual(16);
    const [c1, c4, c16, c32, c64] = byConcurrency;
    expect(c4.tpot).toBeGreaterThan(c1.tpot);
    expect(c16.tpot).toBeGreaterThan(c4.tpot);
    expect(c16.throughput).toBeGreaterThan(c4.throughput);
    // Beyond maxBatch the batch is full: throughput and TPOT stop changing, waiting grows.
    expect(c64.throughput).toBeCloseTo(c32.throughput, 6);
    expect(c64.tpot).toBeCloseTo(c32.tpot, 6);
    expect(c32.ttft).toBeGreaterThan(c16.ttft * 3);
    expect(c64.ttft).toBeGreaterThan(c32.ttft * 1.5);
  });
});

describe('simulateVirtual: randomness', () => {
  const reqs = Array.from({ length: 40 }, (_, i) => ({ id: `r${i}`, inputTokens: 100 + i, outputTokens: 20, arrivalMs: i * 15 }));

  it('is deterministic with noise 0, whatever the seed', () => {
    const a = simulateVirtual({ ...QUIET, seed: 1 }, reqs);
    const b = simulateVirtual({ ...QUIET, seed: 2 }, reqs);
    expect(a).toEqual(b);
  });

  it('repeats exactly with the same seed and differs with another', () => {
    const noisy = { ...QUIET, noise: 0.1 };
    const a = simulateVirtual({ ...noisy, seed: 7 }, reqs);
    const b = simulateVirtual({ ...noisy, seed: 7 }, reqs);
    const c = simulateVirtual({ ...noisy, seed: 8 }, reqs);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.map((t) => t.firstTokenMs)).not.toEqual(simulateVirtual(QUIET, reqs).map((t) => t.firstTokenMs));
  });

  it('keeps the mean step time with noise (mean-1 jitter)', () => {
    const req = [{ id: 'a', inputTokens: 10, outputTokens: 20001 }];
    const noiseless = tpot(simulateVirtual(QUIET, req)[0]);
    const noisy = tpot(simulateVirtual({ ...QUIET, noise: 0.2, seed: 3 }, req)[0]);
    expect(noisy / noiseless).toBeGreaterThan(0.99);
    expect(noisy / noiseless).toBeLessThan(1.01);
  });

  it('draws one drift factor per start with std = drift across drift seeds', () => {
    const n = 4000;
    const factors = Array.from({ length: n }, (_, s) => driftFactor(0.02, s));
    const mean = factors.reduce((x, y) => x + y, 0) / n;
    const std = Math.sqrt(factors.reduce((x, y) => x + (y - mean) ** 2, 0) / n);
    expect(mean).toBeGreaterThan(0.998);
    expect(mean).toBeLessThan(1.002);
    expect(std).toBeGreaterThan(0.019);
    expect(std).toBeLessThan(0.021);
    expect(driftFactor(0, 5)).toBe(1);
    expect(driftFactor(0.02, 5)).toBe(driftFactor(0.02, 5));
  });

  it('applies the drift factor to every step of a run', () => {
    const req = [{ id: 'a', inputTokens: 10, outputTokens: 11 }];
    const base = tpot(simulateVirtual(QUIET, req)[0]);
    for (const driftSeed of [1, 2, 3]) {
      const drifted = tpot(simulateVirtual({ ...QUIET, drift: 0.05, driftSeed }, req)[0]);
      expect(drifted).toBeCloseTo(base / driftFactor(0.05, driftSeed), 9);
    }
    expect(driftFactor(0.05, 1)).not.toBe(driftFactor(0.05, 2));
  });
});

describe('parameters and the engine class', () => {
  it('rejects invalid parameters, naming the field', () => {
    expect(findParamProblem(DEFAULT_ENGINE_PARAMS)).toBeNull();
    expect(findParamProblem({ ...DEFAULT_ENGINE_PARAMS, speed: 0 })?.key).toBe('speed');
    expect(findParamProblem({ ...DEFAULT_ENGINE_PARAMS, maxBatch: 2.5 })?.key).toBe('maxBatch');
    expect(findParamProblem({ ...DEFAULT_ENGINE_PARAMS, maxBatchedTokens: 8, maxBatch: 16 })?.key).toBe('maxBatchedTokens');
    expect(findParamProblem({ ...DEFAULT_ENGINE_PARAMS, noise: -1 })?.key).toBe('noise');
    expect(findParamProblem({ ...DEFAULT_ENGINE_PARAMS, drift: Number.NaN })?.key).toBe('drift');
    expect(() => simulateVirtual({ ...DEFAULT_ENGINE_PARAMS, speed: -1 }, [])).toThrow(/speed/);
    expect(() => simulateVirtual(QUIET, [], { kind: 'closed', concurrency: 0 })).toThrow(/concurrency/);
  });

  it('returns nothing for no requests', () => {
    expect(simulateVirtual(QUIET, [])).toEqual([]);
  });

  it('frees the batch slot of an aborted sequence for the next queued one', () => {
    const engine = new BatchEngine({ ...QUIET, maxBatch: 1 });
    const tokens: string[] = [];
    const sink = (key: number, index: number, last: boolean): void => void tokens.push(`${key}:${index}${last ? '!' : ''}`);
    engine.add(1, 10, 1000);
    engine.add(2, 10, 2);
    expect(engine.planStep()).toBeCloseTo(20 + 1.2, 9);
    engine.completeStep(sink);
    expect([engine.runningCount(), engine.queuedCount()]).toEqual([1, 1]);
    engine.abort(1);
    expect(engine.planStep()).toBeCloseTo(20 + 1.2, 9); // only 2's prefill: 1 is gone
    engine.completeStep(sink);
    engine.planStep();
    engine.completeStep(sink);
    expect(tokens).toEqual(['1:0', '2:0', '2:1!']);
    expect(engine.hasWork()).toBe(false);
    expect(engine.planStep()).toBeNull();
  });
});
