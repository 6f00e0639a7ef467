// Finding the results files to merge: files named directly, and every *.json under the
// directories named (as actions/download-artifact lays out one folder per artifact). Each
// file is validated like any results file: shards come from other jobs and are untrusted.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import type { RunResult } from '../types.js';
import { readRunResultFile } from './results-file.js';

/** Directories are searched this deep (download-artifact: <dir>/<artifact>/<file>). */
const MAX_DEPTH = 3;

async function jsonFilesUnder(dir: string, depth: number): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, e.name);
    if (e.isDirectory() && depth < MAX_DEPTH) out.push(...(await jsonFilesUnder(path, depth + 1)));
    else if (e.isFile() && /\.json$/i.test(e.name)) out.push(path);
  }
  return out;
}

/** The results files under `paths` (files, or directories searched for *.json), in a stable order. */
export async function findResultsFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = (await stat(p)).isDirectory();
    } catch {
      throw new InputError(`${p}: no such file or directory; give the results files (or the folder the shard artifacts were downloaded to)`);
    }
    if (isDir) {
      const found = await jsonFilesUnder(p, 1);
      if (found.length === 0) throw new InputError(`${p}: no results files (*.json) in this folder; did the shard jobs upload theirs?`);
      files.push(...found);
    } else files.push(p);
  }
  return files;
}

export async function readResultsFiles(paths: readonly string[]): Promise<RunResult[]> {
  const files = await findResultsFiles(paths);
  const runs: RunResult[] = [];
  for (const f of files) runs.push(await readRunResultFile(f));
  return runs;
}
