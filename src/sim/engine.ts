// The simulator's performance model in virtual time: runs the same BatchEngine that serves
// HTTP, but advances a number instead of waiting, so hundreds of benchmark runs take seconds.

import { BatchEngine } from './batch-engine.js';
import type { EngineParams } from './engine-params.js';

export { BatchEngine, type TokenSink } from './batch-engine.js';
export { DEFAULT_ENGINE_PARAMS, driftFactor, findParamProblem, type EngineParams } from './engine-params.js';

export interface VirtualRequest {
  id: string;
  inputTokens: number;
  outputTokens: number;
  /** Open loop only: when the request arrives (virtual ms); 0 when absent. */
  arrivalMs?: number;
}

/** Virtual ms, absolute from the run's 0. tokenTimesMs[0] === firstTokenMs; the last === lastTokenMs. */
export interface VirtualTiming {
  id: string;
  arrivalMs: number;
  firstTokenMs: number;
  lastTokenMs: number;
  tokenTimesMs: number[];
}

export type VirtualMode = { kind: 'open' } | { kind: 'closed'; concurrency: number; thinkMs?: number };

/**
 * Runs `requests` through the engine model in virtual time and returns their timings in the
 * input order. Open loop: each request arrives at its arrivalMs. Closed loop: `concurrency`
 * users start at 0; each sends the next unsent request (in input order) when its previous
 * one finished, plus thinkMs; arrivalMs is ignored. Requests arriving during a step join
 * the next one, as in a real engine loop. Lengths below 1 count as 1.
 */
export function simulateVirtual(
  params: EngineParams,
  requests: VirtualRequest[],
  mode: VirtualMode = { kind: 'open' },
): VirtualTiming[] {
  const engine = new BatchEngine(params);
  const n = requests.length;
  const timings: VirtualTiming[] = requests.map((r) => ({
    id: r.id,
    arrivalMs: 0,
    firstTokenMs: Number.NaN,
    lastTokenMs: Number.NaN,
    tokenTimesMs: [],
  }));

  // Indices in order of arrival; in a closed loop they are appended as users come back,
  // always at non-decreasing times, so the list stays sorted.
  const arrivals: number[] = [];
  let nextUnsent = 0;
  let thinkMs = 0;
  if (mode.kind === 'closed') {
    if (!Number.isInteger(mode.concurrency) || mode.concurrency < 1) {
      throw new RangeError(`closed-loop concurrency must be an integer >= 1 (got ${mode.concurrency})`);
    }
    thinkMs = mode.thinkMs ?? 0;
    if (!Number.isFinite(thinkMs) || thinkMs < 0) throw new RangeError(`thinkMs must be >= 0 (got ${thinkMs})`);
    for (; nextUnsent < Math.min(mode.concurrency, n); nextUnsent++) arrivals.push(nextUnsent);
  } else {
    for (let i = 0; i < n; i++) {
      const at = requests[i].arrivalMs ?? 0;
      if (!Number.isFinite(at)) throw new RangeError(`request ${requests[i].id}: arrivalMs must be finite (got ${at})`);
      timings[i].arrivalMs = at;
      arrivals.push(i);
    }
    arrivals.sort((a, b) => timings[a].arrivalMs - timings[b].arrivalMs || a - b);
    nextUnsent = n;
  }

  let now = arrivals.length > 0 ? timings[arrivals[0]].arrivalMs : 0;
  let stepEnd = now;
  const sink = (key: number, _tokenIndex: number, last: boolean): void => {
    const t = timings[key];
    t.tokenTimesMs.push(stepEnd);
    if (!last) return;
    t.firstTokenMs = t.tokenTimesMs[0];
    t.lastTokenMs = stepEnd;
    if (nextUnsent < n) {
      timings[nextUnsent].arrivalMs = stepEnd + thinkMs;
      arrivals.push(nextUnsent++);
    }
  };

  let head = 0;
  while (true) {
    while (head < arrivals.length && timings[arrivals[head]].arrivalMs <= now) {
      const i = arrivals[head++];
      engine.add(i, requests[i].inputTokens, requests[i].outputTokens);
    }
    const duration = engine.planStep();
    if (duration === null) {
      if (head >= arrivals.length) break;
      now = timings[arrivals[head]].arrivalMs; // idle: jump to the next arrival
      continue;
    }
    stepEnd = now + duration;
    engine.completeStep(sink);
    now = stepEnd;
  }
  return timings;
}
