// A scenario whose load generator fell behind (client health not trustworthy: schedule slip
// or event-loop delay over its bound) measured some of the client along with the server.
// A worse figure is discounted — `inconclusive` instead of `regression`, with a note — only
// where the client's own delay could account for it, so a starved client neither fails a
// PR on its own stalls nor hides a slowdown far larger than them:
// - TTFT, E2E and output latency: the change in ms is at most the client's delay D
//   (the larger of its event-loop delay p99 and schedule slip p99, or a single stall over
//   the client-health bound; unbounded when requests queued for a connection);
// - TPOT and ITL (per token): at most D spread over a request's tokens, D / (tokens − 1);
// - throughputs: an open loop that delivered less than the offered rate by more than the
//   threshold, or a closed loop whose D is at least the threshold's share of a request's E2E.
// Error rates are never discounted (answers are counted, not timed); neither are
// improvements or unchanged results (a late client can only make a run look worse).
import { CLIENT_HEALTH_LIMITS } from '../load/client-health.js';
import type { ClientHealth, RunResult, ScenarioResult } from '../types.js';
import type { Comparison, LimitCheck } from './types.js';

export const UNTRUSTED_NOTE = 'the load generator fell behind by as much as this change, so it may be the client’s, not the server’s; rerun on a quieter runner or at a lower load';

/** What a scenario's client health says about the figures it measured. */
export interface ClientDelay {
  trustworthy: boolean;
  /** The larger of event-loop delay p99 and schedule slip p99 (a stall over the bound whole; unbounded when requests queued for a connection), ms. */
  delayMs: number;
  /** Mean output tokens per successful request (spreads D over TPOT and ITL). */
  tokensPerRequest: number;
  /** 1 − achieved / offered rate for an open loop, else null. */
  shortfall: number | null;
  /** Mean E2E of the scenario, ms, or null. */
  meanE2eMs: number | null;
}

/** A stall longer than this (the client-health bound) counts in D whole, not only its p99. */
const STALL_MS = CLIENT_HEALTH_LIMITS.eventLoopStallMaxMs;

function delayFrom(health: ClientHealth, s: ScenarioResult): ClientDelay {
  const m = s.metrics;
  const loop = health.eventLoopDelayMs;
  // A request that waited for a connection carries a wait of any length: nothing bounds D.
  const queued = s.requests.some((r) => r.queuedForConnection === true);
  const offered = m.offered_rate_rps;
  const achieved = m.achieved_rate_rps;
  return {
    trustworthy: health.trustworthy,
    delayMs: queued ? Infinity : Math.max(loop.p99, health.scheduleSlipMs.p99, loop.max > STALL_MS ? loop.max : 0),
    tokensPerRequest: m.completed > 0 ? m.total_output_tokens / m.completed : 1,
    shortfall: offered !== undefined && achieved !== undefined && offered > 0 ? Math.max(0, 1 - achieved / offered) : null,
    meanE2eMs: m.e2e_ms?.mean ?? null,
  };
}

/** Each scenario's client delay: its own health, else the run's. */
export function clientDelays(run: RunResult): Map<string, ClientDelay> {
  return new Map(run.scenarios.map((s) => [s.name, delayFrom(s.clientHealth ?? run.clientHealth, s)]));
}

/** Two optional numbers combined by `pick` (Math.max or Math.min); null only when both are null. */
function worse(a: number | null, b: number | null, pick: (x: number, y: number) => number): number | null {
  return a === null ? b : b === null ? a : pick(a, b);
}

/** The worst of several runs' delays per scenario (paired rounds: every round of both servers). */
export function worstClientDelays(runs: readonly RunResult[]): Map<string, ClientDelay> {
  const out = new Map<string, ClientDelay>();
  for (const run of runs) {
    for (const [name, d] of clientDelays(run)) {
      const prev = out.get(name);
      if (prev === undefined) {
        out.set(name, d);
        continue;
      }
      out.set(name, {
        trustworthy: prev.trustworthy && d.trustworthy,
        delayMs: Math.max(prev.delayMs, d.delayMs),
        tokensPerRequest: Math.min(prev.tokensPerRequest, d.tokensPerRequest),
        shortfall: worse(prev.shortfall, d.shortfall, Math.max),
        meanE2eMs: worse(prev.meanE2eMs, d.meanE2eMs, Math.min),
      });
    }
  }
  return out;
}

const PER_REQUEST_MS = new Set(['ttft_ms', 'e2e_ms', 'output_latency_ms']);
const PER_TOKEN_MS = new Set(['tpot_ms', 'itl_ms']);

/** The most a client delay could have added to `metric` (ms), or null when it is not a timing in ms. */
function delayBound(metric: string, d: ClientDelay): number | null {
  if (PER_REQUEST_MS.has(metric)) return d.delayMs;
  if (PER_TOKEN_MS.has(metric)) return d.delayMs / Math.max(1, d.tokensPerRequest - 1);
  return null;
}

/** Could the client's delay alone account for `worseBy` on this metric? */
function clientCouldExplain(metric: string, worseBy: number, relativeThreshold: number, d: ClientDelay): boolean {
  if (d.trustworthy || metric === 'error_rate' || metric === 'failed') return false;
  const bound = delayBound(metric, d);
  if (bound !== null) return worseBy <= bound;
  // A throughput (or another rate): did the client fail to deliver the load?
  if (d.shortfall !== null) return d.shortfall > relativeThreshold;
  return d.meanE2eMs !== null && d.meanE2eMs > 0 && d.delayMs / d.meanE2eMs >= relativeThreshold;
}

/** The comparisons and limits with worse figures the client could explain made inconclusive. */
export function discountSlowClient(comparisons: Comparison[], limits: LimitCheck[], delays: Map<string, ClientDelay>): { comparisons: Comparison[]; limits: LimitCheck[] } {
  return {
    comparisons: comparisons.map((c): Comparison => {
      const d = delays.get(c.scenario);
      if (c.verdict !== 'regression' || d === undefined || c.current === null || c.baseline === null) return c;
      const worseBy = c.higherIsBetter ? c.baseline - c.current : c.current - c.baseline;
      return clientCouldExplain(c.metric, worseBy, c.threshold, d) ? { ...c, verdict: 'inconclusive', note: UNTRUSTED_NOTE } : c;
    }),
    limits: limits.map((l): LimitCheck => {
      const d = delays.get(l.scenario);
      if (!l.breached || l.reason !== 'slo' || d === undefined || l.value === null) return l;
      const match = /([\d.eE+-]+)\s*$/.exec(l.limit);
      const bound = match ? Number(match[1]) : NaN;
      const worseBy = Number.isFinite(bound) ? Math.abs(l.value - bound) : Infinity;
      const relative = Number.isFinite(bound) && bound !== 0 ? worseBy / Math.abs(bound) : Infinity;
      return clientCouldExplain(l.metric, worseBy, relative, d) ? { ...l, untrusted: true } : l;
    }),
  };
}

/** A limit breach that counts as a regression (not one discounted for a slow client). */
export function failsLimit(l: LimitCheck): boolean {
  return l.breached && l.untrusted !== true;
}
