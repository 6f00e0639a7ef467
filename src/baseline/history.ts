// The history form the gate takes: stored runs, newest first. `compare --baseline` accepts,
// for each path, a results file, a directory of results files (*.json, *.jsonl), or a JSONL
// file of results (one run per line, as the branch store keeps them). Unlike a store, which
// skips a damaged entry, a file the user names must be right: any bad one is an InputError
// naming the file (and line) and the problem.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { parseRunResult, readBoundedText, readRunResultFile } from '../report/results-file.js';
import type { RunResult } from '../types.js';

async function kindOf(path: string): Promise<'file' | 'dir'> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return 'dir';
    if (info.isFile()) return 'file';
    throw new InputError(`${path}: not a file or directory; expected a results file, a JSONL history or a directory of them`);
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${path}: no such file or directory; check the --baseline path (or pass --allow-missing-baseline)`);
    throw new InputError(`${path}: cannot read it (${code ?? String(e)})`);
  }
}

/** A JSONL history: one results file per non-empty line. */
export function parseJsonlHistory(text: string, source: string): RunResult[] {
  const runs: RunResult[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() !== '') runs.push(parseRunResult(line, `${source}:${i + 1}`));
  });
  if (runs.length === 0) throw new InputError(`${source}: the history file has no runs`);
  return runs;
}

async function readOne(path: string): Promise<RunResult[]> {
  if (path.endsWith('.jsonl')) {
    let text: string;
    try {
      text = await readBoundedText(path);
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(`${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    return parseJsonlHistory(text, path);
  }
  return [await readRunResultFile(path)];
}

/** True when the path exists (a file or a directory). */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Loads every path into one history, newest first by startedAt. */
export async function loadHistory(paths: string[]): Promise<RunResult[]> {
  const runs: RunResult[] = [];
  for (const path of paths) {
    if ((await kindOf(path)) === 'file') {
      runs.push(...(await readOne(path)));
      continue;
    }
    const names = (await readdir(path)).filter((n) => n.endsWith('.json') || n.endsWith('.jsonl')).sort();
    if (names.length === 0) throw new InputError(`${path}: the directory has no results files (*.json or *.jsonl)`);
    for (const name of names) runs.push(...(await readOne(join(path, name))));
  }
  return runs.sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
}
