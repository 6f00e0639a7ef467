// The `branch:NAME` store: a history of runs in one JSONL file per `name` on a data branch,
// read and written through the contents API (no git binary, no checkout). Writes are
// append-only and carry the sha they read; when another run wrote first (409, or 422 when
// the file appeared meanwhile) we re-read, re-append and try again, so concurrent runs
// lose nothing.
import { InputError } from '../errors.js';
import type { RunResult } from '../types.js';
import { appendToHistory, formatHistoryText, parseHistoryText, type AppendOptions } from './history-file.js';
import { describeApiError, httpStatusOf, realSleep, type Octokit, type Sleep } from './octokit.js';
import type { BaselineLoad, BaselineStore, SaveOutcome } from './store.js';

export interface BranchStoreOptions extends AppendOptions {
  octokit: Octokit;
  owner: string;
  repo: string;
  branch: string;
  /** The history file on the branch, e.g. `llm-perf-gate/default.jsonl`. */
  path: string;
  /** Attempts of a conflicting write before giving up. */
  maxAttempts?: number;
  sleep?: Sleep;
  /** In [0, 1); jitters the backoff so racing writers spread out. */
  random?: () => number;
  /** github.com web root for links (GITHUB_SERVER_URL). */
  serverUrl?: string;
}

interface StoredFile {
  text: string;
  sha: string;
}

/** `name` input → a safe file name on the data branch. */
export function historyPathFor(name: string): string {
  const safe = name.trim().replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  return `llm-perf-gate/${safe || 'default'}.jsonl`;
}

export class BranchStore implements BaselineStore {
  readonly label: string;
  private readonly sleep: Sleep;
  private readonly random: () => number;

  constructor(private readonly opts: BranchStoreOptions) {
    this.label = `branch:${opts.branch}`;
    this.sleep = opts.sleep ?? realSleep;
    this.random = opts.random ?? Math.random;
  }

  async load(): Promise<BaselineLoad> {
    const file = await this.readFile();
    const where = `${this.label} ${this.opts.path}`;
    if (!file) return { history: [], warnings: [`no stored history yet at ${where}`] };
    const { history, warnings } = parseHistoryText(file.text, where);
    const server = this.opts.serverUrl ?? 'https://github.com';
    return {
      history,
      warnings,
      provenance: {
        description: `${history.length} stored run${history.length === 1 ? '' : 's'} on branch ${this.opts.branch} (${this.opts.path})`,
        url: `${server}/${this.opts.owner}/${this.opts.repo}/blob/${encodeURIComponent(this.opts.branch)}/${this.opts.path}`,
        createdAt: history[0]?.startedAt,
      },
    };
  }

  async save(result: RunResult): Promise<SaveOutcome> {
    const maxAttempts = this.opts.maxAttempts ?? 30;
    let lastConflict = '';
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const file = await this.readFile();
      if (!file && !(await this.branchExists())) {
        if (await this.createBranchWith(result)) return this.saved(attempt);
      } else {
        const previous = file ? parseHistoryText(file.text, this.opts.path).history : [];
        const text = formatHistoryText(appendToHistory(previous, result, this.opts));
        try {
          await this.opts.octokit.rest.repos.createOrUpdateFileContents({
            owner: this.opts.owner,
            repo: this.opts.repo,
            path: this.opts.path,
            branch: this.opts.branch,
            message: commitMessage(result),
            content: Buffer.from(text, 'utf8').toString('base64'),
            ...(file ? { sha: file.sha } : {}),
          });
          return this.saved(attempt);
        } catch (err) {
          const status = httpStatusOf(err);
          // 409: our sha is stale; 422: the file appeared since we read it (no sha sent).
          if (status !== 409 && status !== 422) throw this.writeError(err);
          lastConflict = describeApiError(err);
        }
      }
      await this.backoff(attempt);
    }
    throw new Error(`${this.label}: gave up after ${maxAttempts} conflicting writes to ${this.opts.path} (${lastConflict})`);
  }

  private saved(attempt: number): SaveOutcome {
    const tries = attempt > 1 ? ` after ${attempt} attempts` : '';
    return { message: `baseline: appended this run to ${this.opts.path} on branch ${this.opts.branch}${tries}` };
  }

  private async backoff(attempt: number): Promise<void> {
    const base = Math.min(2000, 50 * 2 ** Math.min(attempt, 6));
    await this.sleep(base * (0.5 + this.random()));
  }

  private async readFile(): Promise<StoredFile | null> {
    const { octokit, owner, repo, path, branch } = this.opts;
    let data: unknown;
    try {
      ({ data } = await octokit.rest.repos.getContent({ owner, repo, path, ref: branch }));
    } catch (err) {
      if (httpStatusOf(err) === 404) return null;
      throw new Error(`${this.label}: cannot read ${path} (${describeApiError(err)}); the token needs contents: read`);
    }
    if (Array.isArray(data) || typeof data !== 'object' || data === null || (data as { type?: string }).type !== 'file') {
      throw new InputError(`${this.label}: ${path} is not a file on the data branch; choose another name or branch`);
    }
    const entry = data as { sha: string; content?: string; encoding?: string; size?: number };
    if (entry.encoding === 'base64' && typeof entry.content === 'string') {
      return { sha: entry.sha, text: Buffer.from(entry.content, 'base64').toString('utf8') };
    }
    // Files over 1 MB come without content from the contents API; the blob API serves them.
    const blob = await octokit.rest.git.getBlob({ owner, repo, file_sha: entry.sha });
    return { sha: entry.sha, text: Buffer.from(blob.data.content, blob.data.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8') };
  }

  private async branchExists(): Promise<boolean> {
    const { octokit, owner, repo, branch } = this.opts;
    try {
      await octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` });
      return true;
    } catch (err) {
      if (httpStatusOf(err) === 404) return false;
      throw new Error(`${this.label}: cannot look up the branch (${describeApiError(err)})`);
    }
  }

  /** Creates the data branch as an orphan holding only the history file; false if another run won the race. */
  private async createBranchWith(result: RunResult): Promise<boolean> {
    const { octokit, owner, repo, branch, path } = this.opts;
    try {
      const text = formatHistoryText(appendToHistory([], result, this.opts));
      const tree = await octokit.rest.git.createTree({ owner, repo, tree: [{ path, mode: '100644', type: 'blob', content: text }] });
      const commit = await octokit.rest.git.createCommit({ owner, repo, message: commitMessage(result), tree: tree.data.sha, parents: [] });
      await octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha: commit.data.sha });
      return true;
    } catch (err) {
      if (httpStatusOf(err) === 422) return false; // "Reference already exists": append on the next attempt
      throw this.writeError(err);
    }
  }

  private writeError(err: unknown): Error {
    const status = httpStatusOf(err);
    const hint = status === 403 || status === 404 ? '; the token needs contents: write (fork PRs get a read-only token)' : '';
    return new Error(`${this.label}: cannot write ${this.opts.path} (${describeApiError(err)})${hint}`);
  }
}

function commitMessage(result: RunResult): string {
  const commit = result.environment.commit ? ` of ${result.environment.commit.slice(0, 12)}` : '';
  // [skip ci]: pushes to the data branch must not start workflows.
  return `llm-perf-gate: add run${commit} (${result.scenarios.map((s) => s.name).join(', ')}) [skip ci]`;
}
