// How exactly the client times streams at 1, 256, 1,024 and 4,096 concurrent streams,
// against a server whose send times are known exactly (issue 7).
//
//   npx tsx bench/client-accuracy.ts [--levels 1,256,1024,4096] [--seconds 6] [--rounds 3] [--chunk-rate 8000]
//                                    [--chunks 8] [--servers 2] [--workers 2] [--out FILE]
//
// The server is the simulator's fixed-schedule mode (every chunk at a fixed time, encoded once,
// one timer for all streams) in its own processes (bench/fixed-server-process.ts), logging when
// it wrote each request's first and last content chunk — in this process's time base (shared
// CLOCK_MONOTONIC, checked at each start). Receive error = our reading − the server's write
// time, joined on X-Request-Id, for the first and the last content chunk.
// Per level, three clients in turn on the same servers: the raw node:http reference
// (bench/raw-http-client.ts), LlmClient on this thread, and LlmClient in worker threads.
// `streams` users each send a request of `chunks` chunks, then the next, until the level's time
// is up; their starts are spread over one chunk interval so chunks do not tick in lockstep. The
// interval is streams / chunk-rate (≥ 10 ms): the chunk rate stays fixed as streams grow, so
// the server (which shares the 2 cores) keeps its schedule. Client CPU is this process's
// (all its threads); the servers are other processes. Bounded: every level ends by itself.

import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LlmClient } from '../src/client/client.js';
import { mainTimeBaseOffset } from '../src/client/thread-clock.js';
import { ClientWorkerPool, type RequestSender } from '../src/client/worker-pool.js';
import { systemClock } from '../src/clock.js';
import { percentile } from '../src/metrics/stats.js';
import type { FixedSendLogEntry } from '../src/sim/fixed-schedule.js';
import type { RequestRecord } from '../src/types.js';
import { rawHttpClient, type BenchClient, type StreamTimes } from './raw-http-client.js';

const { values: flags } = parseArgs({
  options: {
    levels: { type: 'string', default: '1,256,1024,4096' },
    seconds: { type: 'string', default: '6' },
    'chunk-rate': { type: 'string', default: '8000' },
    chunks: { type: 'string', default: '8' },
    servers: { type: 'string', default: '2' },
    workers: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    out: { type: 'string' },
  },
});
const LEVELS = flags.levels.split(',').map(Number);
const SECONDS = Number(flags.seconds);
const CHUNK_RATE = Number(flags['chunk-rate']);
const CHUNKS = Number(flags.chunks);
const SERVERS = Number(flags.servers);
const WORKERS = Number(flags.workers);
const ROUNDS = Number(flags.rounds);
const TTFT_MS = 20;
const VARIANTS = ['raw node:http', 'LlmClient', 'LlmClient, worker threads'] as const;

interface ServerProc {
  child: ChildProcess;
  url: string;
}

function once<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: { type: string }): void => {
      if (m.type !== type) return;
      child.off('message', on);
      resolve(m as T);
    };
    child.on('message', on);
  });
}

async function startServer(intervalMs: number): Promise<ServerProc> {
  const script = fileURLToPath(new URL('./fixed-server-process.ts', import.meta.url));
  const opts = { timeBaseOffsetMs: mainTimeBaseOffset(), fixedTtftMs: TTFT_MS, fixedIntervalMs: intervalMs };
  const child = fork(script, [JSON.stringify(opts)], { execArgv: ['--import', 'tsx'] });
  const { url } = await once<{ url: string }>(child, 'listening');
  // The two time bases agree: the server's reading lies between two of ours.
  for (let i = 0; i < 5; i++) {
    const before = systemClock.now();
    child.send({ type: 'now' });
    const { now } = await once<{ now: number }>(child, 'now');
    const after = systemClock.now();
    if (now < before - 0.01 || now > after + 0.01) throw new Error(`server time base off: ${now} not in [${before}, ${after}]`);
  }
  return { child, url };
}

async function collect(servers: ServerProc[]): Promise<FixedSendLogEntry[]> {
  const logs = await Promise.all(
    servers.map((s) => {
      const reply = once<{ entries: FixedSendLogEntry[] }>(s.child, 'log');
      s.child.send({ type: 'collect' });
      return reply;
    }),
  );
  return logs.flatMap((l) => l.entries);
}

/** LlmClient (or a pool of them) as a BenchClient. */
function fromSender(sender: RequestSender): BenchClient {
  return {
    async send(id, maxTokens) {
      const spec = { id, scenario: 'bench', api: 'chat' as const, messages: [{ role: 'user' as const, content: 'hi' }], inputTokens: 1, maxTokens };
      const r: RequestRecord = await sender.send(spec, { model: 'sim', scheduledAt: null, deadlineMs: 60_000, idleTimeoutMs: 30_000 });
      const times: StreamTimes = { ok: r.status === 'ok', firstAt: null, lastAt: null, contentChunks: r.chunkOffsetsMs.length };
      if (r.ttftMs !== null) times.firstAt = r.sentAt + r.ttftMs;
      if (r.e2eMs !== null) times.lastAt = r.sentAt + r.e2eMs;
      return times;
    },
    close: () => sender.close(),
  };
}

type Variant = (typeof VARIANTS)[number];

async function makeClients(variant: Variant, urls: string[], socketsEach: number): Promise<BenchClient[]> {
  if (variant === 'raw node:http') return urls.map((u) => rawHttpClient(u, socketsEach));
  if (variant === 'LlmClient') return urls.map((u) => fromSender(new LlmClient({ baseUrl: u, connections: socketsEach })));
  const perServer = Math.max(1, Math.round(WORKERS / urls.length));
  return Promise.all(urls.map(async (u) => fromSender(await ClientWorkerPool.start({ baseUrl: u, connections: socketsEach, workers: perServer }))));
}

interface Summary {
  p50: number;
  p99: number;
  max: number;
}
const summary = (xs: number[]): Summary => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
};

interface Row {
  streams: number;
  intervalMs: number;
  variant: Variant;
  requests: number;
  failed: number;
  firstErrorMs: Summary;
  lastErrorMs: Summary;
  serverLateP99Ms: number;
  chunksPerS: number;
  chunksPerCpuS: number;
  cpuCores: number;
  eventLoopP99Ms: number;
}

interface Prepared {
  variant: Variant;
  tag: string;
  clients: BenchClient[];
}

async function prepare(variant: Variant, streams: number, servers: ServerProc[]): Promise<Prepared> {
  const socketsEach = Math.ceil(streams / servers.length);
  const clients = await makeClients(variant, servers.map((s) => s.url), socketsEach);
  const tag = variant.replace(/[^a-z]/gi, '').toLowerCase();
  // Warm-up: every user opens its connection with a one-chunk request.
  await Promise.all(Array.from({ length: streams }, (_, u) => clients[u % clients.length].send(`warm-${tag}-${streams}-${u}`, 1)));
  await collect(servers);
  return { variant, tag, clients };
}

interface Measured {
  results: Map<string, StreamTimes>;
  log: Map<string, FixedSendLogEntry>;
  elapsedS: number;
  cpuS: number;
  loopDelaysMs: number[];
}

/** One round of one client: `streams` users for `seconds`. */
async function measure(p: Prepared, streams: number, intervalMs: number, servers: ServerProc[], round: number, seconds: number): Promise<Measured> {
  const { clients, tag } = p;
  const requestMs = TTFT_MS + (CHUNKS - 1) * intervalMs;
  const wallMs = Math.max(seconds * 1000, requestMs + intervalMs + 50);
  const results = new Map<string, StreamTimes>();
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const cpu0 = process.cpuUsage();
  const t0 = systemClock.now();
  const end = t0 + wallMs;
  const user = async (u: number): Promise<void> => {
    await new Promise((r) => setTimeout(r, (u / streams) * intervalMs));
    for (let n = 0; ; n++) {
      if (n > 0 && systemClock.now() + requestMs > end) return;
      const id = `${tag}-${streams}-${round}-${u}-${n}`;
      results.set(id, await clients[u % clients.length].send(id, CHUNKS));
    }
  };
  await Promise.all(Array.from({ length: streams }, (_, u) => user(u)));
  const elapsedS = (systemClock.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  histogram.disable();
  const log = new Map((await collect(servers)).map((e) => [e.requestId, e]));
  const delay = histogram.count > 0 ? histogram.percentile(99) / 1e6 - 1 : 0;
  return { results, log, elapsedS, cpuS: (cpu.user + cpu.system) / 1e6, loopDelaysMs: [delay] };
}

function rowOf(variant: Variant, streams: number, intervalMs: number, rounds: Measured[]): Row {
  const first: number[] = [];
  const last: number[] = [];
  const late: number[] = [];
  let failed = 0;
  let chunks = 0;
  for (const { results, log } of rounds) for (const [id, t] of results) {
    const e = log.get(id);
    if (!t.ok || t.firstAt === null || t.lastAt === null || e?.firstContentAt == null || e.lastContentAt === null || t.contentChunks !== CHUNKS) {
      failed++;
      continue;
    }
    chunks += t.contentChunks;
    first.push(t.firstAt - e.firstContentAt);
    last.push(t.lastAt - e.lastContentAt);
    if (e.firstDueAt !== null) late.push(e.firstContentAt - e.firstDueAt);
  }
  const cpuS = rounds.reduce((a, r) => a + r.cpuS, 0);
  const elapsedS = rounds.reduce((a, r) => a + r.elapsedS, 0);
  return {
    streams,
    intervalMs,
    variant,
    requests: rounds.reduce((a, r) => a + r.results.size, 0),
    failed,
    firstErrorMs: summary(first),
    lastErrorMs: summary(last),
    serverLateP99Ms: summary(late).p99,
    chunksPerS: chunks / elapsedS,
    chunksPerCpuS: chunks / cpuS,
    cpuCores: cpuS / elapsedS,
    eventLoopP99Ms: Math.max(...rounds.flatMap((r) => r.loopDelaysMs)),
  };
}

const f = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : '–');

function printRow(r: Row): void {
  process.stdout.write(
    `| ${r.streams} | ${r.intervalMs} | ${r.variant} | ${r.requests}${r.failed ? ` (${r.failed} failed)` : ''} | ` +
      `${f(r.firstErrorMs.p50)} / ${f(r.firstErrorMs.p99)} / ${f(r.firstErrorMs.max)} | ` +
      `${f(r.lastErrorMs.p50)} / ${f(r.lastErrorMs.p99)} / ${f(r.lastErrorMs.max)} | ` +
      `${f(r.chunksPerS, 0)} | ${f(r.chunksPerCpuS, 0)} | ${f(r.cpuCores)} | ${f(r.eventLoopP99Ms)} | ${f(r.serverLateP99Ms)} |\n`,
  );
}

async function main(): Promise<void> {
  process.stdout.write(`load average before: ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
  process.stdout.write(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}; chunk rate ${CHUNK_RATE}/s, ${CHUNKS} chunks per request, TTFT ${TTFT_MS} ms\n\n`);
  process.stdout.write('| streams | interval ms | client | requests | first-chunk error p50 / p99 / max ms | last-chunk error p50 / p99 / max ms | chunks/s | chunks per CPU-s | client CPU (cores) | main loop delay p99 ms | server late p99 ms |\n');
  process.stdout.write('| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n');
  const rows: Row[] = [];
  for (const streams of LEVELS) {
    const intervalMs = Math.max(10, Math.ceil((streams * 1000) / CHUNK_RATE));
    const count = streams >= 256 ? SERVERS : 1;
    const servers = await Promise.all(Array.from({ length: count }, () => startServer(intervalMs)));
    try {
      // Rounds interleave the clients, so a busy spell of the shared machine hits all of them.
      const prepared: Prepared[] = [];
      for (const variant of VARIANTS) prepared.push(await prepare(variant, streams, servers));
      const measured = new Map<Variant, Measured[]>(VARIANTS.map((v) => [v, []]));
      for (let round = 0; round < ROUNDS; round++) {
        for (const p of prepared) measured.get(p.variant)?.push(await measure(p, streams, intervalMs, servers, round, SECONDS / ROUNDS));
      }
      for (const p of prepared) await Promise.all(p.clients.map((c) => c.close()));
      for (const variant of VARIANTS) {
        const row = rowOf(variant, streams, intervalMs, measured.get(variant) ?? []);
        rows.push(row);
        printRow(row);
      }
    } finally {
      for (const s of servers) s.child.send({ type: 'close' });
    }
  }
  // Pass criterion: within 1.5× of the raw reference's receive error (p99, first and last chunk).
  process.stdout.write('\n');
  for (const streams of LEVELS) {
    const raw = rows.find((r) => r.streams === streams && r.variant === 'raw node:http') as Row;
    for (const r of rows.filter((x) => x.streams === streams && x.variant !== 'raw node:http')) {
      const ratio = Math.max(r.firstErrorMs.p99 / raw.firstErrorMs.p99, r.lastErrorMs.p99 / raw.lastErrorMs.p99);
      process.stdout.write(`${streams} streams, ${r.variant}: p99 error ${f(ratio)}× the raw client's — ${ratio <= 1.5 ? 'pass' : 'FAIL'}\n`);
    }
  }
  process.stdout.write(`load average after: ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
  if (flags.out) writeFileSync(flags.out, JSON.stringify(rows, null, 2) + '\n');
}

void main().then(() => process.exit(0));
