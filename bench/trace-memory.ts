// Streams a generated 1 GB Mooncake trace and reports the peak resident memory, to show the
// trace readers hold one line at a time (not in npm test; the test suite runs a 96 MB one):
//   npx tsx bench/trace-memory.ts [--mb 1024] [--keep]
// Two passes: every row parsed (readTraceRows), then a replay window at the end of the trace
// (loadTrace must read the whole file to find it, and keeps only the window's requests).
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { scenarioSchema, type TraceWorkload } from '../src/config/schema.js';
import { DataIssues } from '../src/workload/data-issues.js';
import { loadTrace, readTraceRows, traceParser } from '../src/workload/trace-reader.js';
import { writeMooncakeTrace } from './trace-writer.js';

const MB = 1024 * 1024;

function rssMb(): number {
  return process.memoryUsage().rss / MB;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { mb: { type: 'string', default: '1024' }, keep: { type: 'boolean', default: false } } });
  const path = join(tmpdir(), `llm-perf-gate-trace-${values.mb}mb.jsonl`);
  let t = performance.now();
  const written = writeMooncakeTrace(path, Number(values.mb) * MB);
  console.log(`wrote ${written.rows} rows, ${(statSync(path).size / MB).toFixed(0)} MB in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  global.gc?.();
  const baseline = rssMb();
  let peak = baseline;
  let rows = 0;
  let lastTimestamp = 0;
  t = performance.now();
  for await (const parsed of readTraceRows(path, traceParser('mooncake'), new DataIssues(path, false))) {
    if ('row' in parsed) lastTimestamp = parsed.row.timestampMs;
    if (++rows % 10_000 === 0) peak = Math.max(peak, rssMb());
  }
  const s = (performance.now() - t) / 1000;
  console.log(`pass 1, every row: ${rows} rows in ${s.toFixed(1)} s (${(statSync(path).size / MB / s).toFixed(0)} MB/s); RSS ${baseline.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB (+${(peak - baseline).toFixed(0)} MB)`);

  const workload = scenarioSchema.parse({
    name: 'bench',
    workload: { source: 'trace', format: 'mooncake', path, window: { start_s: Math.max(0, lastTimestamp / 1000 - 60) } },
    load: { type: 'constant', rate: 1, requests: 1 },
  }).workload as TraceWorkload;
  let peak2 = rssMb();
  const timer = setInterval(() => (peak2 = Math.max(peak2, rssMb())), 50);
  t = performance.now();
  const trace = await loadTrace(path, workload, { seed: 1 });
  clearInterval(timer);
  console.log(`pass 2, last minute of the trace: ${trace.rows.length} of ${trace.read} rows kept in ${((performance.now() - t) / 1000).toFixed(1)} s; peak RSS ${peak2.toFixed(0)} MB`);
  if (!values.keep) rmSync(path);
}

await main();
