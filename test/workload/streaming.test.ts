// Large traces stream: a generated 96 MB Mooncake trace is read row by row while the memory
// the reader keeps stays near where it started (the 1 GB version is bench/trace-memory.ts).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { writeMooncakeTrace } from '../../bench/trace-writer.js';
import { DataIssues } from '../../src/workload/data-issues.js';
import { readTraceRows, traceParser } from '../../src/workload/trace-reader.js';
import { tempDir } from './fixtures.js';

const MB = 1024 * 1024;
const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Resident memory (RSS) says when the collector last ran, not what the reader keeps: a CI
// run once saw +175 MB of garbage on a 96 MB file. Forcing a full collection first and then
// counting the JS heap plus buffers measures what is still reachable, the same on any machine.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function retainedBytes(): number {
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

describe('streaming a large trace', () => {
  it('reads 96 MB while keeping far less than the file in memory', async () => {
    const path = join(dir, 'big.jsonl');
    const written = writeMooncakeTrace(path, 96 * MB, 3);
    const before = retainedBytes();
    let peak = before;
    let rows = 0;
    for await (const parsed of readTraceRows(path, traceParser('mooncake'), new DataIssues(path, false))) {
      expect('row' in parsed).toBe(true);
      if (++rows % 20_000 === 0) peak = Math.max(peak, retainedBytes());
    }
    expect(rows).toBe(written.rows);
    // A reader that held the file would keep at least its 96 MB (192 MB as a JS string); its
    // parsed rows would keep more. The streaming reader keeps 6 to 16 MB (1 MiB chunks, the
    // stream's read-ahead, the buffers in flight), so the bound is a third of the file.
    console.log(`retained peak +${((peak - before) / MB).toFixed(2)} MB over ${rows} rows`);
    expect((peak - before) / MB).toBeLessThan(32);
  });
});
