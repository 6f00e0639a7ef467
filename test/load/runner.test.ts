import { describe, expect, it } from 'vitest';
import { scenarioSchema } from '../../src/config/schema.js';
import type { EventLoopMonitor } from '../../src/load/client-health.js';
import { runScenario, type RunScenarioOptions } from '../../src/load/runner.js';
import type { PercentileSummary, RequestRecord, RequestSpec } from '../../src/types.js';
import { T0, VirtualTime, fakeSend, sentOffsets, setupVirtualRun, type FakeServerOptions } from './virtual-time.js';


function spec(id: string, extra: Partial<RequestSpec> = {}): RequestSpec {
  return { id, scenario: 's', api: 'chat', messages: [{ role: 'user', content: 'hi there' }], inputTokens: 2, maxTokens: 4, ...extra };
}

function specs(n: number, prefix = 'm'): RequestSpec[] {
  return Array.from({ length: n }, (_, i) => spec(`${prefix}-${i}`));
}

function quietMonitor(summary: PercentileSummary = { p50: 0, p99: 0, max: 0 }): () => EventLoopMonitor {
  return () => ({ stop: () => summary });
}

function setup(load: Record<string, unknown>, server: FakeServerOptions = {}) {
  return setupVirtualRun(load, specs(20), server);
}

describe('runScenario, open loop', () => {
  it('sends each request at its constant-rate offset exactly and bounds the window', async () => {
    const { fake, run } = setup({ type: 'constant', rate: 10, requests: 5 });
    const result = await run();
    expect(sentOffsets(fake.calls)).toEqual([0, 100, 200, 300, 400]);
    expect(fake.calls.map((c) => (c.scheduledAt as number) - T0)).toEqual([0, 100, 200, 300, 400]);
    expect(result.records.map((r) => r.id)).toEqual(['m-0', 'm-1', 'm-2', 'm-3', 'm-4']);
    // Each request: TTFT 50, 4 chunks 10 ms apart (last at 80), stream end at 81. The window
    // is the steady part: from the first response (81) to the last send (400); the fill
    // before it and the drain tail after it (400 → 481) are left out.
    expect(result.window).toEqual({ startMs: T0 + 81, endMs: T0 + 400 });
    expect(result.clientHealth).toEqual({
      scheduleSlipMs: { p50: 0, p99: 0, max: 0 },
      eventLoopDelayMs: { p50: 0, p99: 0, max: 0 },
      trustworthy: true,
      reasons: [],
    });
  });

  it('schedules on absolute times, so time spent sending does not accumulate as drift', async () => {
    const { vt, fake, run } = setup({ type: 'constant', rate: 10, requests: 4 });
    // Each send costs 3 ms of (virtual) CPU before it returns.
    const slowSend: RunScenarioOptions['send'] = (s, at, signal) => {
      const record = fake.send(s, at, signal);
      vt.advance(3);
      return record;
    };
    const result = await run({ send: slowSend });
    expect(sentOffsets(fake.calls)).toEqual([0, 100, 200, 300]);
    expect(result.clientHealth.scheduleSlipMs.max).toBe(0);
  });

  it('follows seeded Poisson arrivals: same seed same sends, another seed others', async () => {
    const a = setup({ type: 'poisson', rate: 20, requests: 30 });
    await a.run();
    const b = setup({ type: 'poisson', rate: 20, requests: 30 });
    await b.run();
    const c = setup({ type: 'poisson', rate: 20, requests: 30 });
    await c.run({ seed: 8 });
    expect(sentOffsets(a.fake.calls)).toEqual(sentOffsets(b.fake.calls));
    expect(sentOffsets(a.fake.calls)).not.toEqual(sentOffsets(c.fake.calls));
    for (const call of a.fake.calls) expect(call.sentAt).toBe(call.scheduledAt);
    const offsets = sentOffsets(a.fake.calls);
    for (let i = 1; i < offsets.length; i++) expect(offsets[i]).toBeGreaterThanOrEqual(offsets[i - 1]);
  });

  it("uses a trace's arrival offsets instead of generated arrivals", async () => {
    const { fake, run } = setup({ type: 'constant', rate: 1, requests: 3 });
    await run({ measured: [spec('t-0', { arrivalOffsetMs: 0 }), spec('t-1', { arrivalOffsetMs: 5.5 }), spec('t-2', { arrivalOffsetMs: 500 })] });
    expect(sentOffsets(fake.calls)).toEqual([0, 5.5, 500]);
  });

  it('caps requests in flight: a request waiting for a slot goes late but keeps its scheduled time', async () => {
    // 100 req/s (every 10 ms), each request takes 81 ms, at most 2 in flight.
    const { fake, run } = setup({ type: 'constant', rate: 100, concurrency: 2, requests: 4 });
    const result = await run();
    expect(fake.maxInFlight()).toBe(2);
    expect(sentOffsets(fake.calls)).toEqual([0, 10, 81, 91]);
    expect(result.records.map((r) => (r.scheduledAt as number) - T0)).toEqual([0, 10, 20, 30]);
    // Waiting for a slot is the queue the cap creates, not client slip.
    expect(result.clientHealth.scheduleSlipMs).toEqual({ p50: 0, p99: 0, max: 0 });
  });

  it('stops sending after duration_s and builds specs lazily from a function', async () => {
    const { fake, run } = setup({ type: 'constant', rate: 10, duration_s: 0.35 });
    const built: number[] = [];
    const result = await run({
      measured: (i) => {
        built.push(i);
        return spec(`lazy-${i}`);
      },
    });
    expect(sentOffsets(fake.calls)).toEqual([0, 100, 200, 300]);
    expect(result.records).toHaveLength(4);
    expect(built).toEqual([0, 1, 2, 3, 4]);
  });

  it('stops at `requests` even when more specs were given', async () => {
    const { fake, run } = setup({ type: 'constant', rate: 50, requests: 4 });
    const result = await run();
    expect(fake.calls).toHaveLength(4);
    expect(result.records).toHaveLength(4);
  });

  it('stops at the deadline: no more sends, in-flight requests aborted and marked cancelled', async () => {
    const { vt, fake, run } = setup({ type: 'constant', rate: 10, requests: 10 }, { ttftMs: () => 1000 });
    const result = await run({ deadlineAt: T0 + 250 });
    expect(sentOffsets(fake.calls)).toEqual([0, 100, 200]);
    expect(result.records.map((r) => r.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    for (const r of result.records) {
      expect(r.error).toEqual({ kind: 'cancelled', message: 'the run reached its time limit (max_duration_s)' });
    }
    expect(result.window).toEqual({ startMs: T0, endMs: T0 + 250 });
    expect(vt.now()).toBe(T0 + 250);
  });

  it('abandons a request whose client never returns after an abort', async () => {
    const { vt, run } = setup({ type: 'constant', rate: 10, requests: 3 });
    const never = (): Promise<RequestRecord> => new Promise<RequestRecord>(() => {});
    const result = await run({ send: never, deadlineAt: T0 + 150, abortGraceMs: 100 });
    expect(result.records.map((r) => [r.id, r.status, r.sentAt - T0])).toEqual([
      ['m-0', 'cancelled', 0],
      ['m-1', 'cancelled', 100],
    ]);
    expect(result.records[0].error?.message).toBe('the run reached its time limit (max_duration_s); the request did not finish');
    expect(vt.now()).toBe(T0 + 250);
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    const { fake, run } = setup({ type: 'constant', rate: 10, requests: 10 }, { ttftMs: () => 1000 });
    const result = await run({
      signal: controller.signal,
      onProgress: (p) => {
        if (p.elapsedS >= 0.15) controller.abort();
      },
      progressIntervalMs: 150,
    });
    expect(sentOffsets(fake.calls)).toEqual([0, 100]);
    expect(result.records.map((r) => r.error?.message)).toEqual(['the run was cancelled', 'the run was cancelled']);
  });

  it('turns a rejecting send into a failed record instead of failing the run', async () => {
    const { run } = setup({ type: 'constant', rate: 10, requests: 1 });
    const result = await run({ send: () => Promise.reject(new Error('boom')) });
    expect(result.records).toHaveLength(1);
    expect(result.records[0]).toMatchObject({ id: 'm-0', status: 'error', error: { kind: 'malformed', message: 'client failed: boom' }, scheduledAt: T0, sentAt: T0 });
  });

  it('marks the client untrustworthy when requests leave late or the event loop lags', async () => {
    const vt = new VirtualTime(T0);
    const fake = fakeSend(vt);
    const lateSend: RunScenarioOptions['send'] = async (s, at, signal) => ({ ...(await fake.send(s, at, signal)), sentAt: (at as number) + 15 });
    const scenario = scenarioSchema.parse({ name: 's', load: { type: 'constant', rate: 10, requests: 3, warmup: 0 } });
    const result = await vt.run(
      runScenario({
        scenario,
        warmup: [],
        measured: specs(3),
        send: lateSend,
        clock: vt,
        seed: 1,
        sleepUntil: vt.sleepUntil,
        startEventLoopMonitor: quietMonitor({ p50: 1, p99: 25, max: 40 }),
      }),
    );
    expect(result.clientHealth.scheduleSlipMs).toEqual({ p50: 15, p99: 15, max: 15 });
    expect(result.clientHealth.trustworthy).toBe(false);
    expect(result.clientHealth.reasons).toEqual([
      'schedule slip p99 15.0 ms > 10 ms: the client sent requests late (lower the rate or give the runner more CPU)',
      'event-loop delay p99 25.0 ms > 20 ms: the client was too busy to timestamp responses promptly',
    ]);
  });
});

describe('runScenario, closed loop', () => {
  it('keeps N requests in flight, each worker sending when its last request finished', async () => {
    const { fake, run } = setup({ type: 'concurrency', concurrency: 3, requests: 7 });
    const result = await run();
    expect(fake.maxInFlight()).toBe(3);
    expect(sentOffsets(fake.calls)).toEqual([0, 0, 0, 81, 81, 81, 162]);
    expect(fake.calls.every((c) => c.scheduledAt === null)).toBe(true);
    expect(result.records.map((r) => r.id)).toEqual(['m-0', 'm-1', 'm-2', 'm-3', 'm-4', 'm-5', 'm-6']);
    // Too short for a steady part (only 3 of 7 responses between the first response and the
    // last send), so the window is the whole span, first send to last completion.
    expect(result.window).toEqual({ startMs: T0, endMs: T0 + 243 });
    expect(result.clientHealth.scheduleSlipMs).toEqual({ p50: 0, p99: 0, max: 0 });
  });

  it('stops starting requests after duration_s', async () => {
    const { fake, run } = setup({ type: 'concurrency', concurrency: 1, duration_s: 0.2 });
    const result = await run({ measured: (i) => spec(`d-${i}`) });
    expect(sentOffsets(fake.calls)).toEqual([0, 81, 162]);
    expect(result.window.endMs).toBe(T0 + 243);
  });

  it('stops when the specs run out', async () => {
    const { fake, run } = setup({ type: 'concurrency', concurrency: 2, duration_s: 100 });
    const result = await run({ measured: specs(3) });
    expect(fake.calls).toHaveLength(3);
    expect(result.records).toHaveLength(3);
  });
});

describe('runScenario, warmup and progress', () => {
  it('sends warmup requests one at a time first and leaves them out of the records', async () => {
    const { fake, run } = setup({ type: 'constant', rate: 10, requests: 2 }, { fails: (s) => s.id === 'w-1' });
    const result = await run({ warmup: specs(2, 'w') });
    expect(fake.calls.map((c) => [c.id, c.sentAt - T0, c.scheduledAt === null])).toEqual([
      ['w-0', 0, true],
      ['w-1', 81, true],
      // The failed warmup request ends at its TTFT (50 ms); measurement starts then.
      ['m-0', 131, false],
      ['m-1', 231, false],
    ]);
    expect(result.records.map((r) => r.id)).toEqual(['m-0', 'm-1']);
    expect(result.warmup).toEqual({ sent: 2, failed: 1 });
    expect(result.window.startMs).toBe(T0 + 131);
  });

  it('reports progress every interval, counting errors and what is in flight', async () => {
    const { run } = setup({ type: 'constant', rate: 10, requests: 4 }, { fails: (s) => s.id === 'm-1' });
    const reports: unknown[] = [];
    await run({ onProgress: (p) => reports.push(p), progressIntervalMs: 250 });
    // At 250: m-0 done (ok at 81), m-1 failed at 150, m-2 sent at 200 (in flight).
    expect(reports[0]).toEqual({ done: 2, errors: 1, inFlight: 1, elapsedS: 0.25, currentRate: 8 });
    // The last report comes when the scenario ends (m-3 at 300 + 81).
    expect(reports.at(-1)).toMatchObject({ done: 4, errors: 1, inFlight: 0, elapsedS: 0.381 });
  });
});
