// The chaos run (issue 9): a long run at moderate load against a simulator (its own process,
// so the memory measured is the client's) that injects faults at 5 % — ten kinds at 0.5 %
// each — plus a restart halfway. It checks that every request is accounted for against what
// the runner planned and what the simulator saw (its send log), that error kinds are as
// expected, and reports the client's memory over the run.
//   npx tsx bench/chaos.ts [--duration 600] [--rate 8]
// Results are recorded in docs/faults.md ("Chaos run").
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfigText } from '../src/config/load.js';
import type { Config } from '../src/config/schema.js';
import { scenarioArrivals } from '../src/load/arrivals.js';
import { runConfig } from '../src/run.js';
import type { SendLogEntry } from '../src/sim/send-log.js';
import type { RequestRecord } from '../src/types.js';
import { openRequestSource } from '../src/workload/index.js';

const FAULTS_AT_HALF_PERCENT = ['429', '500', '502', '503', 'reset', 'bad-json', 'no-data', 'stream-error', 'empty', 'text-plain'];

/** What each injected fault must be recorded as. */
const EXPECTED_KIND: Record<string, string> = {
  '429': 'http_status',
  '500': 'http_status',
  '502': 'http_status',
  '503': 'http_status',
  reset: 'truncated',
  'bad-json': 'malformed',
  'no-data': 'malformed',
  'stream-error': 'stream_error',
  empty: 'truncated',
  'text-plain': 'malformed',
};

/** The ids the runner will send for the config's first (only) scenario: the measured ones in order, and the warmup's. */
export async function plannedRequests(config: Config): Promise<{ measured: string[]; warmup: string[] }> {
  const scenario = config.scenarios[0];
  // As runConfig derives them (src/run.ts): the scenario's seed and the id prefix.
  const seed = scenario.seed ?? config.seed;
  const source = await openRequestSource(scenario, { seed, idPrefix: `${scenario.name}-${seed}` });
  const arrivals = scenarioArrivals(scenario, seed);
  if (!arrivals) throw new Error('the chaos scenario must be an open loop with a rate');
  const endMs = (scenario.load.duration_s ?? Infinity) * 1000;
  const limit = scenario.load.requests ?? Infinity;
  const measured: string[] = [];
  // The runner's open loop sends request i while its offset is before the end of sending.
  for (let i = 0; i < limit && arrivals.next().value < endMs; i++) {
    const spec = source.measured(i);
    if (!spec) break;
    measured.push(spec.id);
  }
  return { measured, warmup: source.warmup(scenario.load.warmup).map((s) => s.id) };
}

export interface Accounting {
  planned: number;
  recorded: number;
  /** Distinct measured ids the server saw (send log). */
  arrived: number;
  /** Records that failed at connect and never reached the server (refused, or dropped unanswered while it was down). */
  refused: number;
  /** Planned ids with no record. */
  missing: string[];
  /** Ids recorded more than once. */
  duplicated: string[];
  /** Records whose id was not planned. */
  unplanned: string[];
  /** Ids the server saw (not warmup) with no record. */
  arrivedNotRecorded: string[];
  /** Records that never reached the server yet failed with another kind than connect (or succeeded). */
  unexplained: string[];
  /** Measured ids the server saw more than once (informational: a re-send on another connection). */
  arrivedTwice: string[];
  ok: boolean;
}

/**
 * The invariant: every request the runner planned is in the results exactly once, and every
 * request that reached the server (by X-Request-Id in its send log) is in the results under
 * the same id; a record the server never saw must be a connect failure. The records alone
 * cannot show a lost request: sent = ok + errors counts both sides from the same list.
 */
export function accountRequests(plan: { measured: readonly string[]; warmup: readonly string[] }, records: readonly Pick<RequestRecord, 'id' | 'error'>[], sendLog: readonly Pick<SendLogEntry, 'requestId'>[]): Accounting {
  const planned = new Set(plan.measured);
  const warmup = new Set(plan.warmup);
  const times = new Map<string, number>();
  for (const r of records) times.set(r.id, (times.get(r.id) ?? 0) + 1);
  const seen = new Map<string, number>();
  for (const e of sendLog) if (!warmup.has(e.requestId)) seen.set(e.requestId, (seen.get(e.requestId) ?? 0) + 1);
  const neverArrived = records.filter((r) => !seen.has(r.id));
  const unexplained = neverArrived.filter((r) => r.error?.kind !== 'connect').map((r) => r.id);
  const a: Omit<Accounting, 'ok'> = {
    planned: planned.size,
    recorded: records.length,
    arrived: seen.size,
    refused: neverArrived.length - unexplained.length,
    missing: plan.measured.filter((id) => !times.has(id)),
    duplicated: [...times].filter(([, n]) => n > 1).map(([id]) => id),
    unplanned: records.filter((r) => !planned.has(r.id)).map((r) => r.id),
    arrivedNotRecorded: [...seen.keys()].filter((id) => !times.has(id)),
    unexplained,
    arrivedTwice: [...seen].filter(([, n]) => n > 1).map(([id]) => id),
  };
  const ok = a.missing.length + a.duplicated.length + a.unplanned.length + a.arrivedNotRecorded.length + a.unexplained.length === 0 && planned.size === plan.measured.length;
  return { ...a, ok };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
const some = (ids: readonly string[]): string => (ids.length ? `${ids.length} (${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''})` : '0');

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { duration: { type: 'string', default: '600' }, rate: { type: 'string', default: '8' } } });
  const durationS = Number(values.duration);
  const rate = Number(values.rate);
  const port = await freePort();
  const restartAt = Math.round(durationS / 2);
  const faults = [...FAULTS_AT_HALF_PERCENT.map((k) => `${k}:0.005`), `restart:${restartAt}s-${restartAt + 2}s`].join(',');
  const dir = mkdtempSync(join(tmpdir(), 'lpg-chaos-'));
  const sendLogPath = join(dir, 'send-log.jsonl');
  const sim = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'sim', '--port', String(port), '--faults', faults, '--send-log', sendLogPath], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const simExited = new Promise<number | null>((resolve) => sim.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    sim.stdout.on('data', (c: Buffer) => (String(c).includes('listening') ? resolve() : undefined));
    void simExited.then((code) => reject(new Error(`the simulator exited (${code})`)));
  });
  const config = parseConfigText(
    `seed: 11
client: { workers: 0 }
max_duration_s: ${durationS + 120}
scenarios:
  - name: chaos
    workload: { input_tokens: { dist: uniform, min: 64, max: 512 }, output_tokens: { dist: uniform, min: 16, max: 64 } }
    load: { type: poisson, rate: ${rate}, duration_s: ${durationS}, warmup: 2 }
    timeouts: { request_s: 60, idle_s: 10 }
`,
    'chaos',
  );
  const plan = await plannedRequests(config);
  const samples: { t: number; rss: number; heap: number }[] = [];
  const t0 = performance.now();
  const sample = (): void => {
    global.gc?.();
    const m = process.memoryUsage();
    samples.push({ t: (performance.now() - t0) / 1000, rss: m.rss, heap: m.heapUsed });
  };
  sample();
  const timer = setInterval(sample, 10_000);
  let stopped = false;
  const stopSim = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    sim.kill('SIGTERM');
    // The send log is complete once the simulator has closed it.
    await simExited;
  };
  try {
    const result = await runConfig(config, { baseUrl: `http://127.0.0.1:${port}`, model: 'sim', log: (l) => console.error(l) });
    clearInterval(timer);
    sample();
    await stopSim();
    const sendLog = readFileSync(sendLogPath, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as SendLogEntry);
    const s = result.scenarios[0];
    const m = s.metrics;
    const sent = s.requests.length;
    const acc = accountRequests(plan, s.requests, sendLog);
    const byKind = Object.entries(m.errors_by_kind).map(([k, n]) => `${k} ${n}`).join(', ');
    const expectedKinds = new Set([...Object.values(EXPECTED_KIND), 'connect', 'truncated']);
    const unexpected = Object.keys(m.errors_by_kind).filter((k) => !expectedKinds.has(k));
    const first = samples[1] ?? samples[0];
    const last = samples[samples.length - 1];
    console.log(`chaos run: ${durationS} s at ${rate} req/s, faults ${faults}`);
    console.log(`  sent ${sent} = ok ${m.completed} + errors ${m.failed}`);
    console.log(
      `  planned ${acc.planned}, recorded ${acc.recorded}; the server saw ${acc.arrived} (send log), ${acc.refused} refused at connect: ` +
        `${acc.arrived} + ${acc.refused} = ${acc.arrived + acc.refused} — ${acc.ok ? 'every request accounted for' : 'NOT ACCOUNTED'}`,
    );
    if (!acc.ok) {
      console.log(`  missing ${some(acc.missing)}; recorded twice ${some(acc.duplicated)}; not planned ${some(acc.unplanned)}`);
      console.log(`  seen by the server but not recorded ${some(acc.arrivedNotRecorded)}; never reached it yet not a connect error ${some(acc.unexplained)}`);
    }
    if (acc.arrivedTwice.length) console.log(`  note: the server saw ${some(acc.arrivedTwice)} more than once`);
    console.log(`  error rate ${(100 * m.error_rate).toFixed(2)} % — ${byKind}${unexpected.length ? ` — UNEXPECTED kinds: ${unexpected.join(', ')}` : ''}`);
    console.log(`  rss ${mib(samples[0].rss)} → ${mib(first.rss)} (10 s) → ${mib(last.rss)} MiB; heap ${mib(samples[0].heap)} → ${mib(first.heap)} → ${mib(last.heap)} MiB`);
    console.log(`  heap growth after 10 s: ${mib(last.heap - first.heap)} MiB over ${sent} requests (${((last.heap - first.heap) / Math.max(1, sent)).toFixed(0)} B per request, the records kept for the results file)`);
    console.log(`  rss max ${mib(Math.max(...samples.map((x) => x.rss)))} MiB`);
    if (sent !== m.completed + m.failed || !acc.ok || unexpected.length) process.exitCode = 1;
  } finally {
    clearInterval(timer);
    await stopSim();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
