import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadHistory } from '../../src/baseline/history.js';
import { InputError } from '../../src/errors.js';
import { calibrateCommand, calibrateFromRuns } from '../../src/gate/calibrate-command.js';
import { compareCommand } from '../../src/gate/compare-command.js';
import { formatRunResult, writeRunResultFile } from '../../src/report/results-file.js';
import { smallRun } from './fixtures.js';

let dir: string;
let baselinePath: string;
let samePath: string;
let slowPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gate-compare-'));
  baselinePath = join(dir, 'baseline.json');
  samePath = join(dir, 'same.json');
  slowPath = join(dir, 'slow.json');
  await writeRunResultFile(baselinePath, smallRun(1));
  await writeRunResultFile(samePath, smallRun(2));
  await writeRunResultFile(slowPath, smallRun(3, 0.8));
});

async function compare(args: string[]): Promise<{ code: number; text: string }> {
  let text = '';
  const code = await compareCommand(args, (t) => {
    text += t;
  });
  return { code, text };
}

async function inputError(args: string[]): Promise<string> {
  try {
    await compare(args);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    const message = (e as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected an InputError');
}

describe('compare command', () => {
  it('exits 1 on a regression and prints the report', async () => {
    const { code, text } = await compare(['--baseline', baselinePath, '--current', slowPath]);
    expect(code).toBe(1);
    expect(text).toContain('## llm-perf-gate: ❌ regression');
  });
  it('exits 0 on an A/A pair and writes --markdown and --json', async () => {
    const md = join(dir, 'out.md');
    const json = join(dir, 'out.json');
    const { code, text } = await compare(['--baseline', baselinePath, '--current', samePath, '--markdown', md, '--json', json]);
    const decision = JSON.parse(await readFile(json, 'utf8'));
    expect(code).toBe(decision.exitCode);
    expect(['pass', 'inconclusive']).toContain(decision.verdict);
    expect(text.startsWith(`verdict: ${decision.verdict}\n`)).toBe(true);
    expect(await readFile(md, 'utf8')).toContain('## llm-perf-gate:');
  });
  it('exits 0 with no baseline and 2 on a missing baseline file unless allowed', async () => {
    expect((await compare(['--current', samePath])).code).toBe(0);
    const missing = join(dir, 'nope.json');
    expect(await inputError(['--baseline', missing, '--current', samePath])).toMatch(/nope\.json: no such file/);
    const allowed = await compare(['--baseline', missing, '--current', samePath, '--allow-missing-baseline']);
    expect(allowed.code).toBe(0);
    expect(allowed.text).toContain('no baseline');
  });
  it('names the file and the problem for a corrupt, truncated or wrong-schema baseline', async () => {
    const corrupt = join(dir, 'corrupt.json');
    await writeFile(corrupt, 'not json at all');
    expect(await inputError(['--baseline', corrupt, '--current', samePath])).toMatch(/corrupt\.json: not valid JSON/);
    const truncated = join(dir, 'truncated.json');
    const full = formatRunResult(smallRun(1));
    await writeFile(truncated, full.slice(0, Math.floor(full.length / 2)));
    expect(await inputError(['--baseline', truncated, '--current', samePath])).toMatch(/truncated\.json: not valid JSON.*truncated/);
    const wrong = join(dir, 'wrong.json');
    await writeFile(wrong, JSON.stringify({ schemaVersion: 1, hello: 'world' }));
    expect(await inputError(['--baseline', wrong, '--current', samePath])).toMatch(/^.*wrong\.json: /);
    const newer = join(dir, 'newer.json');
    await writeFile(newer, JSON.stringify({ ...smallRun(1), schemaVersion: 2 }));
    expect(await inputError(['--baseline', newer, '--current', samePath])).toMatch(/newer\.json: schemaVersion 2 is newer than this llm-perf-gate supports/);
  });
  it('rejects a bad --fail-on', async () => {
    expect(await inputError(['--current', samePath, '--fail-on', 'sometimes'])).toMatch(/--fail-on: 'sometimes'/);
  });
});

describe('loadHistory', () => {
  it('reads files, directories and JSONL, newest first', async () => {
    const hist = join(dir, 'hist');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(hist);
    const runs = [smallRun(21), smallRun(22), smallRun(23)];
    await writeFile(join(hist, 'older.jsonl'), runs.slice(0, 2).map((r) => JSON.stringify(r)).join('\n') + '\n');
    await writeRunResultFile(join(hist, 'newest.json'), runs[2]);
    const loaded = await loadHistory([hist]);
    expect(loaded.map((r) => r.startedAt)).toEqual([runs[2].startedAt, runs[1].startedAt, runs[0].startedAt]);
  });
  it('names the line of a bad JSONL entry', async () => {
    const bad = join(dir, 'bad.jsonl');
    await writeFile(bad, JSON.stringify(smallRun(31)) + '\n{"schemaVersion": 1\n');
    await expect(loadHistory([bad])).rejects.toThrow(/bad\.jsonl:2: not valid JSON/);
  });
});

describe('calibrate', () => {
  it('measures the noise per metric from A/A runs and suggests thresholds', async () => {
    let start = 40;
    let text = '';
    const code = await calibrateCommand(['--runs', '4'], {
      runOnce: async () => smallRun(start++),
      out: (t) => {
        text += t;
      },
    });
    expect(code).toBe(0);
    expect(text).toMatch(/chat \/ tpot_ms\.p50\s+4\s/);
    expect(text).toContain('gate:\n  noise:\n    ttft_ms.p50: ');
    const rows = calibrateFromRuns([smallRun(50), smallRun(51), smallRun(52), smallRun(53), smallRun(54)]);
    const tpot = rows.find((r) => r.metric === 'tpot_ms');
    // Drift of 2 % per start: the measured per-run noise of TPOT is of that order.
    expect(tpot?.perRunSd).toBeGreaterThan(0.003);
    expect(tpot?.perRunSd).toBeLessThan(0.08);
  });
  it('needs at least 3 runs', async () => {
    await expect(calibrateCommand(['--runs', '2'], { runOnce: async () => smallRun(1), out: () => {} })).rejects.toThrow(/--runs: '2' must be/);
  });
});
