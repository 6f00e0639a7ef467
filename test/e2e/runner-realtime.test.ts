// The runner in real time with the system clock: requests must leave on schedule. The
// bounds are generous (the machine is shared, tests run in parallel) but meaningful: the
// median slip separates the polling wait (~0.01 ms) from a timer-only wait (~0.7 ms); the
// p99 bound catches a scheduler that drifts or falls behind (at 10 ms per request it would
// accumulate far beyond it).
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { scenarioSchema } from '../../src/config/schema.js';
import { runScenario } from '../../src/load/runner.js';
import type { RequestRecord, RequestSpec } from '../../src/types.js';

describe('runScenario in real time', () => {
  it('sends 100 req/s open-loop requests within a millisecond of their schedule', async () => {
    const scenario = scenarioSchema.parse({ name: 'rt', load: { type: 'constant', rate: 100, requests: 100, warmup: 0 } });
    const measured: RequestSpec[] = Array.from({ length: 100 }, (_, i) => ({ id: `rt-${i}`, scenario: 'rt', api: 'chat', inputTokens: 1, maxTokens: 1 }));
    const send = async (spec: RequestSpec, scheduledAt: number | null): Promise<RequestRecord> => {
      const sentAt = systemClock.now();
      return { id: spec.id, scenario: 'rt', status: 'ok', error: null, scheduledAt, sentAt, ttftMs: 0.1, e2eMs: 0.1, streamEndMs: 0.2, inputTokens: 1, outputTokens: 1, tokenSource: 'estimate', chunkOffsetsMs: [0.1] };
    };
    const run = await runScenario({ scenario, warmup: [], measured, send, clock: systemClock, seed: 1, deadlineAt: systemClock.now() + 20_000 });
    expect(run.records).toHaveLength(100);
    const span = run.records[99].sentAt - run.records[0].sentAt;
    expect(span).toBeGreaterThan(989);
    expect(span).toBeLessThan(1000);
    expect(run.clientHealth.scheduleSlipMs.p50).toBeLessThan(0.5);
    expect(run.clientHealth.scheduleSlipMs.p99).toBeLessThan(50);
    expect(run.clientHealth.eventLoopDelayMs.max).toBeGreaterThanOrEqual(run.clientHealth.eventLoopDelayMs.p50);
  });
});
