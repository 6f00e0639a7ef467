// Writes a synthetic Mooncake-format trace of a given size, for the streaming benchmark and
// test: Poisson-like arrivals, lengths up to ~32k tokens, hash ids that share prefixes the
// way conversation traces do (a few common leading blocks, then the request's own).
import { closeSync, openSync, writeSync } from 'node:fs';
import { Random } from '../src/workload/random.js';

/** Writes rows until the file holds at least `bytes`; returns the rows written. */
export function writeMooncakeTrace(path: string, bytes: number, seed = 1): { rows: number; bytes: number } {
  const rng = new Random(seed);
  const fd = openSync(path, 'w');
  let written = 0;
  let rows = 0;
  let timestamp = 0;
  let nextId = 1000;
  try {
    while (written < bytes) {
      const lines: string[] = [];
      for (let i = 0; i < 2000; i++) {
        timestamp += Math.round(rng.exponential(1 / 20));
        const input = rng.int(16, 32_768);
        const blocks = Math.ceil(input / 512);
        const shared = Math.min(blocks, rng.int(0, 4));
        const ids = new Array<number>(blocks);
        for (let b = 0; b < blocks; b++) ids[b] = b < shared ? b : nextId++;
        lines.push(JSON.stringify({ timestamp, input_length: input, output_length: rng.int(1, 1000), hash_ids: ids }));
      }
      const chunk = Buffer.from(lines.join('\n') + '\n');
      writeSync(fd, chunk);
      written += chunk.length;
      rows += lines.length;
    }
  } finally {
    closeSync(fd);
  }
  return { rows, bytes: written };
}
