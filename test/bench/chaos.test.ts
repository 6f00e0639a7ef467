// The chaos bench's accounting (bench/chaos.ts): the records against the runner's plan and
// the simulator's send log, so a lost, doubled or unexplained request is caught — which
// "sent = ok + errors" cannot do, as both sides are counted from the same records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountRequests, plannedRequests } from '../../bench/chaos.js';
import { parseConfigText } from '../../src/config/load.js';
import { computeScenarioMetrics } from '../../src/metrics/compute.js';
import { runConfig } from '../../src/run.js';
import { startSim, type SimServer } from '../../src/sim/server.js';
import type { RequestRecord, RunResult } from '../../src/types.js';

const CONFIG = parseConfigText(
  `seed: 5
client: { workers: 0 }
scenarios:
  - name: chaos
    workload: { input_tokens: 32, output_tokens: 4 }
    load: { type: poisson, rate: 40, duration_s: 0.5, warmup: 2 }
`,
  'test',
);

let sim: SimServer;
let run: RunResult;
beforeAll(async () => {
  sim = await startSim({ port: 0, seed: 1, keepSendLog: true });
  run = await runConfig(CONFIG, { baseUrl: sim.url, model: 'sim' });
});
afterAll(() => sim?.close());

const connectError = { kind: 'connect' as const, message: 'connect ECONNREFUSED 127.0.0.1:1' };

describe('chaos accounting', () => {
  it('plans exactly the ids the runner sends, and a clean run is accounted for', async () => {
    const plan = await plannedRequests(CONFIG);
    const records = run.scenarios[0].requests;
    expect(plan.measured).toEqual(records.map((r) => r.id));
    expect(plan.measured.length).toBeGreaterThan(5);
    expect(plan.warmup).toHaveLength(2);
    // The server saw the warmup too; it is not in the results (Contracts).
    expect(sim.sendLog.map((e) => e.requestId).sort()).toEqual([...plan.warmup, ...plan.measured].sort());
    const acc = accountRequests(plan, records, sim.sendLog);
    expect(acc).toMatchObject({ ok: true, planned: records.length, recorded: records.length, arrived: records.length, refused: 0, missing: [], arrivedNotRecorded: [] });
  });

  it('catches a request lost from the results, which sent = ok + errors cannot', async () => {
    const plan = await plannedRequests(CONFIG);
    const s = run.scenarios[0];
    const lost = s.requests[3];
    const kept = s.requests.filter((r) => r !== lost);
    // The old check: both sides come from the same records, so it still holds.
    const m = computeScenarioMetrics(kept, s.window, {});
    expect(kept.length).toBe(m.completed + m.failed);
    const acc = accountRequests(plan, kept, sim.sendLog);
    expect(acc.ok).toBe(false);
    expect(acc.missing).toEqual([lost.id]);
    expect(acc.arrivedNotRecorded).toEqual([lost.id]);
  });

  it('a refused request (connect, never in the send log) is accounted for; any other kind the server never saw is not', async () => {
    const plan = await plannedRequests(CONFIG);
    const records = run.scenarios[0].requests;
    const refusedId = records[2].id;
    const withoutIt = sim.sendLog.filter((e) => e.requestId !== refusedId);
    const asRefused: RequestRecord[] = records.map((r) => (r.id === refusedId ? { ...r, status: 'error', error: connectError } : r));
    const refused = accountRequests(plan, asRefused, withoutIt);
    expect(refused).toMatchObject({ ok: true, refused: 1, arrived: records.length - 1 });

    const asTruncated = records.map((r) => (r.id === refusedId ? { ...r, error: { kind: 'truncated' as const, message: 'reset' } } : r));
    expect(accountRequests(plan, asTruncated, withoutIt)).toMatchObject({ ok: false, unexplained: [refusedId] });
  });

  it('catches a request recorded twice, and one that was never planned', async () => {
    const plan = await plannedRequests(CONFIG);
    const records = run.scenarios[0].requests;
    expect(accountRequests(plan, [...records, records[0]], sim.sendLog)).toMatchObject({ ok: false, duplicated: [records[0].id] });
    const stranger = { ...records[0], id: 'chaos-other-1', error: connectError };
    expect(accountRequests(plan, [...records, stranger], sim.sendLog)).toMatchObject({ ok: false, unplanned: ['chaos-other-1'] });
  });
});
