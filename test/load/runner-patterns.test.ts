// The runner with the newer load patterns: gamma arrivals, ramp-up and fluctuation in the
// open loop, think time and ramp-up in the closed loop, and the measurement window.
import { describe, expect, it } from 'vitest';
import { arrivalOffsets } from '../../src/load/arrivals.js';
import type { RequestSpec } from '../../src/types.js';
import { Random, deriveSeed } from '../../src/workload/random.js';
import { T0, sentOffsets, setupVirtualRun, type FakeServerOptions } from './virtual-time.js';


function specs(n: number): RequestSpec[] {
  return Array.from({ length: n }, (_, i) => ({ id: `m-${i}`, scenario: 's', api: 'chat', messages: [{ role: 'user', content: 'hi' }], inputTokens: 1, maxTokens: 4 }));
}

function setup(load: Record<string, unknown>, server: FakeServerOptions = {}, n = 20) {
  return setupVirtualRun(load, specs(n), server);
}

describe('open-loop patterns in the runner', () => {
  it('sends gamma arrivals with the configured burstiness, seeded by scenario and seed', async () => {
    const { fake, run } = setup({ type: 'gamma', rate: 20, burstiness: 0.5, requests: 15 });
    await run();
    const expected = arrivalOffsets({ type: 'gamma', rate: 20, burstiness: 0.5 }, new Random(deriveSeed(7, 's\u0000arrivals')));
    const want = Array.from({ length: 15 }, () => expected.next().value as number);
    sentOffsets(fake.calls).forEach((t, i) => expect(t).toBeCloseTo(want[i], 3));
  });

  it('ramps the constant rate up linearly and applies a spike', async () => {
    const { fake, run } = setup({ type: 'constant', rate: 10, ramp_up_s: 1, requests: 6 });
    await run();
    const got = sentOffsets(fake.calls);
    [0, 447.2136, 632.4555, 774.5967, 894.4272, 1000].forEach((t, i) => expect(got[i]).toBeCloseTo(t, 2));

    const spiked = setup({ type: 'constant', rate: 10, fluctuation: { kind: 'spike', at_s: 0.5, duration_s: 0.2, factor: 5 }, requests: 12 });
    await spiked.run();
    expect(sentOffsets(spiked.fake.calls).map((t) => Math.round(t * 1000) / 1000)).toEqual([0, 100, 200, 300, 400, 500, 520, 540, 560, 580, 600, 620]);
  });
});

describe('closed-loop patterns in the runner', () => {
  it('waits think_time_ms after each response before the next request', async () => {
    // Each request takes 81 ms (stream end); with 19 ms of thinking a user sends every 100 ms.
    const { fake, run } = setup({ type: 'concurrency', concurrency: 1, think_time_ms: 19, requests: 4 });
    await run();
    expect(sentOffsets(fake.calls)).toEqual([0, 100, 200, 300]);
  });

  it('starts users spread over ramp_up_s', async () => {
    const { fake, run } = setup({ type: 'concurrency', concurrency: 3, ramp_up_s: 0.3, requests: 6 });
    await run();
    expect(sentOffsets(fake.calls)).toEqual([0, 81, 100, 162, 181, 200]);
  });
});

describe('the measurement window', () => {
  it('keeps the whole span for a burst with no steady phase', async () => {
    // Five users, five requests: all leave at 0, so there is no loaded period to measure apart.
    const { run } = setup({ type: 'concurrency', concurrency: 5, requests: 5 });
    const result = await run();
    expect(result.window).toEqual({ startMs: T0, endMs: T0 + 81 });
  });

  it('runs from the first response to the last send when the load had a steady phase', async () => {
    // Sends every 50 ms from 0 to 500, each answered in 81 ms: 8 of 11 responses fall in (81, 500].
    const { run } = setup({ type: 'constant', rate: 20, requests: 11 });
    const result = await run();
    expect(result.window).toEqual({ startMs: T0 + 81, endMs: T0 + 500 });
  });
});
