import { describe, expect, it } from 'vitest';
import { scenarioSchema } from '../../src/config/schema.js';
import { sweepChartMarkdown } from '../../src/report/sweep-chart.js';
import { runSweep } from '../../src/load/sweep.js';
import { fakeCapacityServer } from '../load/fake-steps.js';

describe('sweepChartMarkdown', () => {
  it('draws latency and throughput against the offered load, with a table of the numbers', async () => {
    const fake = fakeCapacityServer({ capacityRps: 15 });
    const base = scenarioSchema.parse({ name: 'chat', load: { type: 'constant', requests: 40 }, sweep: { values: [20, 5, 10] } });
    const steps = await runSweep(base, base.sweep!, fake.runStep);
    const plain = { ...steps[0], name: 'other', config: { name: 'other' } };
    const md = sweepChartMarkdown([plain, ...steps]);
    expect(md.startsWith('#### Sweep: chat\n')).toBe(true);
    expect(md.match(/```mermaid\nxychart-beta/g)).toHaveLength(2);
    // Sorted by offered rate, not by run order.
    expect(md).toContain('x-axis "offered load (req/s, or c = users)" ["5", "10", "20"]');
    // TTFT p50 stays at 50 ms up to the capacity, then the queue lifts it.
    const p50 = /title "chat: TTFT p50[^\n]*\n[^\n]*\n[^\n]*\n\s+line \[([^\]]*)\]/.exec(md)![1].split(', ').map(Number);
    expect(p50.slice(0, 2)).toEqual([50, 50]);
    expect(p50[2]).toBeGreaterThan(100);
    expect(md).toContain('| offered | achieved req/s |');
    expect(md.split('\n').filter((l) => /^\| (5|10|20) \|/.test(l))).toHaveLength(3);
    expect(sweepChartMarkdown([plain])).toBe('');
  });
});
