import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStore } from '../../src/baseline/file-store.js';
import { InputError } from '../../src/errors.js';
import { makeRun } from './make-run.js';

const workspace = () => mkdtempSync(join(tmpdir(), 'file-store-'));

describe('FileStore', () => {
  it('has no baseline, with a line saying what to do, when the file is missing', async () => {
    const load = await new FileStore({ path: 'perf/baseline.json', workspace: workspace() }).load();
    expect(load).toEqual({ history: [], warnings: ['no baseline file at perf/baseline.json yet; commit the one this run writes (save-baseline)'] });
  });

  it('writes the new results file where the user commits it, and reads it back', async () => {
    const ws = workspace();
    const s = new FileStore({ path: 'perf/baseline.json', workspace: ws });
    const out = await s.save(makeRun('x'));
    expect(out).toEqual({ message: 'baseline: wrote perf/baseline.json; commit it to make it the baseline', path: join(ws, 'perf/baseline.json') });
    expect(JSON.parse(readFileSync(out.path!, 'utf8')).environment.commit).toBe('commit-x');
    expect((await s.load()).history.map((r) => r.environment.commit)).toEqual(['commit-x']);
  });

  it('keeps a capped history in a .jsonl path', async () => {
    const s = new FileStore({ path: 'perf/history.jsonl', workspace: workspace(), cap: 2 });
    for (const t of ['1', '2', '3']) await s.save(makeRun(t));
    expect((await s.load()).history.map((r) => r.environment.commit)).toEqual(['commit-3', 'commit-2']);
  });

  it('refuses an unreadable committed baseline as bad input', async () => {
    const ws = workspace();
    writeFileSync(join(ws, 'b.json'), '{"schemaVersion": 1}');
    await expect(new FileStore({ path: 'b.json', workspace: ws }).load()).rejects.toThrow(InputError);
  });
});
