import { describe, expect, it } from 'vitest';
import { CLIENT_HEALTH_LIMITS, assessClientHealth, mergeClientHealth, startEventLoopMonitor, summarizeSlips } from '../../src/load/client-health.js';
import { Slots } from '../../src/load/slots.js';

describe('client health', () => {
  it('summarises schedule slips with numpy-style percentiles', () => {
    expect(summarizeSlips([])).toEqual({ p50: 0, p99: 0, max: 0 });
    expect(summarizeSlips([0.5, 0, 3, 1])).toEqual({ p50: 0.75, p99: 2.9399999999999995, max: 3 });
  });

  it('is trustworthy up to the limits and not beyond', () => {
    const at = { p50: 1, p99: CLIENT_HEALTH_LIMITS.scheduleSlipP99Ms, max: 30 };
    const loop = { p50: 1, p99: CLIENT_HEALTH_LIMITS.eventLoopDelayP99Ms, max: 50 };
    expect(assessClientHealth(at, loop)).toEqual({ scheduleSlipMs: at, eventLoopDelayMs: loop, trustworthy: true, reasons: [] });
    const late = assessClientHealth({ ...at, p99: 10.04 }, loop);
    expect(late.trustworthy).toBe(false);
    expect(late.reasons).toEqual(['schedule slip p99 10.0 ms > 10 ms: the client sent requests late (lower the rate or give the runner more CPU)']);
  });

  it('is not trustworthy after one event-loop stall over 100 ms, though its p99 is low', () => {
    const zero = { p50: 0, p99: 0, max: 0 };
    expect(assessClientHealth(zero, { p50: 0.1, p99: 17, max: 100 }).trustworthy).toBe(true);
    const stalled = assessClientHealth(zero, { p50: 0.1, p99: 17, max: 225 });
    expect(stalled.trustworthy).toBe(false);
    expect(stalled.reasons).toEqual([
      'event-loop stall of 225.0 ms > 100 ms: every request in flight then includes it (another process or a long garbage collection took the client\'s CPU)',
    ]);
    // Over the p99 bound too: one reason, the p99's.
    expect(assessClientHealth(zero, { p50: 1, p99: 30, max: 400 }).reasons).toHaveLength(1);
  });

  it('is not trustworthy when any request waited in the client for a free connection', () => {
    const zero = { p50: 0, p99: 0, max: 0 };
    expect(assessClientHealth(zero, zero, { queued: 0, requests: 60 }).trustworthy).toBe(true);
    expect(assessClientHealth(zero, zero, { queued: 1, requests: 60 })).toEqual({
      scheduleSlipMs: zero,
      eventLoopDelayMs: zero,
      trustworthy: false,
      reasons: ['1 of 60 requests waited in the client for a free connection (every pooled socket was busy): their latency includes that wait (cap the load with load.concurrency, or lower the rate)'],
    });
  });

  it("merges scenarios' health conservatively, keeping each reason with its scenario", () => {
    const good = assessClientHealth({ p50: 0.1, p99: 0.5, max: 2 }, { p50: 0.2, p99: 3, max: 25 });
    const bad = assessClientHealth({ p50: 0.3, p99: 12, max: 14 }, { p50: 0.1, p99: 1, max: 4 });
    const merged = mergeClientHealth([
      { scenario: 'a', health: good },
      { scenario: 'b', health: bad },
    ]);
    expect(merged.scheduleSlipMs).toEqual({ p50: 0.3, p99: 12, max: 14 });
    expect(merged.eventLoopDelayMs).toEqual({ p50: 0.2, p99: 3, max: 25 });
    expect(merged.trustworthy).toBe(false);
    expect(merged.reasons).toEqual([`b: ${bad.reasons[0]}`]);
    expect(mergeClientHealth([]).trustworthy).toBe(true);
  });

  it('measures real event-loop delay, net of the sampling period', async () => {
    const monitor = startEventLoopMonitor();
    await new Promise((r) => setTimeout(r, 30));
    const blockUntil = performance.now() + 30;
    while (performance.now() < blockUntil) {
      // a 30 ms stall the monitor must see
    }
    await new Promise((r) => setTimeout(r, 30));
    const delay = monitor.stop();
    expect(delay.max).toBeGreaterThanOrEqual(28);
    expect(delay.p50).toBeLessThan(delay.max);
  });
});

describe('Slots', () => {
  it('hands freed slots to waiters in order and gives up on abort', async () => {
    const slots = new Slots(1);
    expect(slots.tryAcquire()).toBe(true);
    expect(slots.tryAcquire()).toBe(false);
    const order: string[] = [];
    const controller = new AbortController();
    const first = slots.acquire(new AbortController().signal).then((ok) => order.push(`first ${ok}`));
    const aborted = slots.acquire(controller.signal).then((ok) => order.push(`aborted ${ok}`));
    const third = slots.acquire(new AbortController().signal).then((ok) => order.push(`third ${ok}`));
    controller.abort();
    await aborted;
    slots.release();
    await first;
    slots.release();
    await third;
    expect(order).toEqual(['aborted false', 'first true', 'third true']);
    slots.release();
    expect(slots.tryAcquire()).toBe(true);
    expect(slots.tryAcquire()).toBe(false);
  });
});
