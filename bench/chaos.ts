// The chaos run (issue 9): a long run at moderate load against a simulator (its own process,
// so the memory measured is the client's) that injects faults at 5 % — ten kinds at 0.5 %
// each — plus a restart halfway. It checks that every request is accounted for (sent = ok +
// errors, kinds as expected) and reports the client's memory over the run.
//   npx tsx bench/chaos.ts [--duration 600] [--rate 8]
// Results are recorded in docs/faults.md ("Chaos run").
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { parseConfigText } from '../src/config/load.js';
import { runConfig } from '../src/run.js';

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

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { duration: { type: 'string', default: '600' }, rate: { type: 'string', default: '8' } } });
  const durationS = Number(values.duration);
  const rate = Number(values.rate);
  const port = await freePort();
  const restartAt = Math.round(durationS / 2);
  const faults = [...FAULTS_AT_HALF_PERCENT.map((k) => `${k}:0.005`), `restart:${restartAt}s-${restartAt + 2}s`].join(',');
  const sim = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'sim', '--port', String(port), '--faults', faults], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    sim.stdout.on('data', (c: Buffer) => (String(c).includes('listening') ? resolve() : undefined));
    sim.on('exit', (code) => reject(new Error(`the simulator exited (${code})`)));
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
  const samples: { t: number; rss: number; heap: number }[] = [];
  const t0 = performance.now();
  const sample = (): void => {
    global.gc?.();
    const m = process.memoryUsage();
    samples.push({ t: (performance.now() - t0) / 1000, rss: m.rss, heap: m.heapUsed });
  };
  sample();
  const timer = setInterval(sample, 10_000);
  try {
    const result = await runConfig(config, { baseUrl: `http://127.0.0.1:${port}`, model: 'sim', log: (l) => console.error(l) });
    clearInterval(timer);
    sample();
    const s = result.scenarios[0];
    const m = s.metrics;
    const sent = s.requests.length;
    const byKind = Object.entries(m.errors_by_kind).map(([k, n]) => `${k} ${n}`).join(', ');
    const expectedKinds = new Set([...Object.values(EXPECTED_KIND), 'connect', 'truncated']);
    const unexpected = Object.keys(m.errors_by_kind).filter((k) => !expectedKinds.has(k));
    const first = samples[1] ?? samples[0];
    const last = samples[samples.length - 1];
    console.log(`chaos run: ${durationS} s at ${rate} req/s, faults ${faults}`);
    console.log(`  sent ${sent} = ok ${m.completed} + errors ${m.failed}: ${sent === m.completed + m.failed ? 'accounted' : 'NOT ACCOUNTED'}`);
    console.log(`  error rate ${(100 * m.error_rate).toFixed(2)} % — ${byKind}${unexpected.length ? ` — UNEXPECTED kinds: ${unexpected.join(', ')}` : ''}`);
    console.log(`  rss ${mib(samples[0].rss)} → ${mib(first.rss)} (10 s) → ${mib(last.rss)} MiB; heap ${mib(samples[0].heap)} → ${mib(first.heap)} → ${mib(last.heap)} MiB`);
    console.log(`  heap growth after 10 s: ${mib(last.heap - first.heap)} MiB over ${sent} requests (${((last.heap - first.heap) / Math.max(1, sent)).toFixed(0)} B per request, the records kept for the results file)`);
    console.log(`  rss max ${mib(Math.max(...samples.map((x) => x.rss)))} MiB`);
    if (sent !== m.completed + m.failed || unexpected.length) process.exitCode = 1;
  } finally {
    clearInterval(timer);
    sim.kill('SIGTERM');
  }
}

await main();
