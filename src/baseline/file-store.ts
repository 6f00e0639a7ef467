// The `file:PATH` store: a results file (or a JSONL history) committed in the repository.
// Loading reads it from the checkout; saving writes the new run to the same path in the
// workspace for the user to commit (e.g. with a later step), since the action never pushes.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { readBoundedText } from '../report/results-file.js';
import type { RunResult } from '../types.js';
import { appendToHistory, formatHistoryText, parseHistoryText } from './history-file.js';
import type { BaselineLoad, BaselineStore, SaveOutcome } from './store.js';

export interface FileStoreOptions {
  path: string;
  /** The checkout (GITHUB_WORKSPACE); relative paths are under it. */
  workspace?: string;
  /** A `.jsonl` path keeps a capped history; any other path keeps one results file. */
  cap?: number;
}

export class FileStore implements BaselineStore {
  readonly label: string;
  private readonly absPath: string;

  constructor(private readonly opts: FileStoreOptions) {
    this.label = `file:${opts.path}`;
    this.absPath = resolve(opts.workspace ?? process.cwd(), opts.path);
  }

  private get isHistory(): boolean {
    return this.opts.path.endsWith('.jsonl');
  }

  async load(): Promise<BaselineLoad> {
    let text: string;
    try {
      text = await readBoundedText(this.absPath);
    } catch (err) {
      if (err instanceof InputError) throw err;
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return { history: [], warnings: [`no baseline file at ${this.opts.path} yet; commit the one this run writes (save-baseline)`] };
      }
      throw new InputError(`${this.opts.path}: cannot read the baseline file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    // An empty file is no baseline by accident (a failed write, a `touch`): say so, do not pass silently.
    if (text.trim() === '') throw new InputError(`${this.opts.path}: the baseline file is empty; fix or delete the baseline file`);
    const { history, warnings } = parseHistoryText(text, this.opts.path);
    if (history.length === 0 && text.trim() !== '') {
      // A committed baseline the user chose explicitly: unreadable is bad input, not "no baseline".
      throw new InputError(`${warnings[0] ?? `${this.opts.path}: not a results file`}; fix or delete the baseline file`);
    }
    return { history, warnings, provenance: { description: `file ${this.opts.path}`, createdAt: history[0]?.startedAt } };
  }

  async save(result: RunResult): Promise<SaveOutcome> {
    let text: string;
    if (this.isHistory) {
      let previous: RunResult[] = [];
      try {
        previous = parseHistoryText(await readBoundedText(this.absPath), this.opts.path).history;
      } catch {
        previous = [];
      }
      text = formatHistoryText(appendToHistory(previous, result, { cap: this.opts.cap ?? 100 }));
    } else {
      text = JSON.stringify(result, null, 2) + '\n';
    }
    await mkdir(dirname(this.absPath), { recursive: true });
    await writeFile(this.absPath, text, 'utf8');
    return { message: `baseline: wrote ${this.opts.path}; commit it to make it the baseline`, path: this.absPath };
  }
}
