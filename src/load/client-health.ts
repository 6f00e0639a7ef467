// Is the load generator itself keeping up? Three signals: schedule slip (how late an
// open-loop request left compared with when it was due), event-loop delay (how late the
// main thread ran its callbacks) and connection queueing (requests that waited in the
// client for a free socket: that wait is counted as the server's latency). Over the limits below, the run's latencies may include
// client time and the results file says so (`trustworthy: false` with reasons).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { percentile } from '../metrics/stats.js';
import type { ClientHealth, PercentileSummary } from '../types.js';

/** The client-health bounds (documented in docs/results-schema.md). */
export const CLIENT_HEALTH_LIMITS = {
  /** p99 of sentAt − due time over open-loop requests, ms. */
  scheduleSlipP99Ms: 10,
  /** p99 of the event-loop delay during the measured phase, ms. */
  eventLoopDelayP99Ms: 20,
  /**
   * The longest single event-loop stall, ms. A p99 misses one long stall, yet every request in
   * flight during it carries it (a 225 ms stall with p99 17 ms once made a demo's 48-request
   * A/A look like a +22 % E2E p90 regression).
   */
  eventLoopStallMaxMs: 100,
} as const;

/** Sampling period of the event-loop monitor (ms); the reported delay is the excess over it. */
export const EVENT_LOOP_RESOLUTION_MS = 1;

export const ZERO_SUMMARY: PercentileSummary = { p50: 0, p99: 0, max: 0 };

export interface EventLoopMonitor {
  /** Stops measuring and returns the delays seen, in ms. */
  stop(): PercentileSummary;
}

export type StartEventLoopMonitor = () => EventLoopMonitor;

/**
 * node:perf_hooks' monitor samples every EVENT_LOOP_RESOLUTION_MS and records the whole
 * interval between samples (an idle loop reads ~1.1 ms at resolution 1); the delay is that
 * interval minus the resolution.
 */
export const startEventLoopMonitor: StartEventLoopMonitor = () => {
  const histogram = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
  histogram.enable();
  return {
    stop(): PercentileSummary {
      histogram.disable();
      if (histogram.count === 0) return { ...ZERO_SUMMARY };
      const delay = (ns: number): number => Math.max(0, ns / 1e6 - EVENT_LOOP_RESOLUTION_MS);
      return { p50: delay(histogram.percentile(50)), p99: delay(histogram.percentile(99)), max: delay(histogram.max) };
    },
  };
};

export function summarizeSlips(slipsMs: readonly number[]): PercentileSummary {
  if (slipsMs.length === 0) return { ...ZERO_SUMMARY };
  const sorted = [...slipsMs].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] };
}

function oneDecimal(x: number): string {
  return x.toFixed(1);
}

/** Measured requests that waited in the client for a free connection (RequestRecord.queuedForConnection), of all. */
export interface ConnectionQueueing {
  queued: number;
  requests: number;
}

export function assessClientHealth(
  scheduleSlipMs: PercentileSummary,
  eventLoopDelayMs: PercentileSummary,
  connections: ConnectionQueueing = { queued: 0, requests: 0 },
): ClientHealth {
  const reasons: string[] = [];
  if (scheduleSlipMs.p99 > CLIENT_HEALTH_LIMITS.scheduleSlipP99Ms) {
    reasons.push(
      `schedule slip p99 ${oneDecimal(scheduleSlipMs.p99)} ms > ${CLIENT_HEALTH_LIMITS.scheduleSlipP99Ms} ms: the client sent requests late (lower the rate or give the runner more CPU)`,
    );
  }
  if (eventLoopDelayMs.p99 > CLIENT_HEALTH_LIMITS.eventLoopDelayP99Ms) {
    reasons.push(
      `event-loop delay p99 ${oneDecimal(eventLoopDelayMs.p99)} ms > ${CLIENT_HEALTH_LIMITS.eventLoopDelayP99Ms} ms: the client was too busy to timestamp responses promptly`,
    );
  }
  if (eventLoopDelayMs.p99 <= CLIENT_HEALTH_LIMITS.eventLoopDelayP99Ms && eventLoopDelayMs.max > CLIENT_HEALTH_LIMITS.eventLoopStallMaxMs) {
    reasons.push(
      `event-loop stall of ${oneDecimal(eventLoopDelayMs.max)} ms > ${CLIENT_HEALTH_LIMITS.eventLoopStallMaxMs} ms: every request in flight then includes it (another process or a long garbage collection took the client's CPU)`,
    );
  }
  // Any wait at all: it lands in TTFT and E2E whole, and no bound on it would be safe.
  if (connections.queued > 0) {
    reasons.push(
      `${connections.queued} of ${connections.requests} requests waited in the client for a free connection (every pooled socket was busy): their latency includes that wait (cap the load with load.concurrency, or lower the rate)`,
    );
  }
  return { scheduleSlipMs, eventLoopDelayMs, trustworthy: reasons.length === 0, reasons };
}

/**
 * The whole run's health from its scenarios'. Percentiles of separate runs cannot be merged
 * exactly, so each statistic is the worst scenario's (conservative); reasons are kept, each
 * prefixed with its scenario.
 */
export function mergeClientHealth(parts: ReadonlyArray<{ scenario: string; health: ClientHealth }>): ClientHealth {
  const worst = (pick: (h: ClientHealth) => PercentileSummary): PercentileSummary => ({
    p50: Math.max(0, ...parts.map((p) => pick(p.health).p50)),
    p99: Math.max(0, ...parts.map((p) => pick(p.health).p99)),
    max: Math.max(0, ...parts.map((p) => pick(p.health).max)),
  });
  const reasons = parts.flatMap((p) => p.health.reasons.map((r) => `${p.scenario}: ${r}`));
  return {
    scheduleSlipMs: worst((h) => h.scheduleSlipMs),
    eventLoopDelayMs: worst((h) => h.eventLoopDelayMs),
    trustworthy: parts.every((p) => p.health.trustworthy),
    reasons,
  };
}
