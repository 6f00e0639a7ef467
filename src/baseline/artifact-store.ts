// The `artifact` store (the default, zero setup): on a pull request, the baseline is the
// history artifact of the newest finished push (or schedule, workflow_dispatch) run of this
// same workflow on the base branch that has one, whatever its conclusion; on the default
// branch, this run uploads the history with itself added. Artifacts expire
// (90 days by default), so an old or missing baseline is a warning in the report.
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  DownloadArtifactOptions,
  DownloadArtifactResponse,
  FindOptions,
  GetArtifactResponse,
  UploadArtifactOptions,
  UploadArtifactResponse,
} from '@actions/artifact';
import type { RunResult } from '../types.js';
import { appendToHistory, formatHistoryText, parseHistoryText } from './history-file.js';
import { describeApiError, type Octokit } from './octokit.js';
import type { BaselineLoad, BaselineStore, SaveOutcome } from './store.js';

/** The part of @actions/artifact's DefaultArtifactClient we use (tests inject a fake). */
export interface ArtifactClientLike {
  getArtifact(name: string, options?: FindOptions): Promise<GetArtifactResponse>;
  downloadArtifact(id: number, options?: DownloadArtifactOptions & FindOptions): Promise<DownloadArtifactResponse>;
  uploadArtifact(name: string, files: string[], rootDirectory: string, options?: UploadArtifactOptions): Promise<UploadArtifactResponse>;
}

export const HISTORY_FILE_NAME = 'history.jsonl';

export interface ArtifactStoreOptions {
  octokit: Octokit;
  client: ArtifactClientLike;
  /** Needs actions: read to download another run's artifact. */
  token: string;
  owner: string;
  repo: string;
  /** This workflow run (GITHUB_RUN_ID): its workflow is the one whose runs we search. */
  runId: number;
  /** The branch whose runs hold the baseline: the PR's base, or the pushed branch. */
  baseBranch: string;
  artifactName: string;
  /** Where downloads and the new history go (RUNNER_TEMP). */
  workDir?: string;
  now?: () => number;
  /** Warn when the baseline is older than this. */
  maxAgeDays?: number;
  /** Finished runs (newest first) to look through for one that has the artifact. */
  maxRunsToSearch?: number;
  /** Runs kept in the artifact's history. */
  cap?: number;
  retentionDays?: number;
}

/** `name` input → the artifact name (artifact names refuse some characters). */
export function baselineArtifactName(name: string): string {
  const safe = name.trim().replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return `llm-perf-gate-baseline-${safe || 'default'}`;
}

const DAY_MS = 86_400_000;

/**
 * Events whose runs on the base branch may supply the baseline: they run code already on
 * the branch, started by a push or by someone with write access (`schedule` and
 * `workflow_dispatch` save with `save-baseline: always`). Never `pull_request`.
 */
export const BASELINE_EVENTS = ['push', 'schedule', 'workflow_dispatch'] as const;

interface WorkflowRunRef {
  id: number;
  run_number?: number;
  created_at: string;
  html_url?: string;
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; message?: string };
  return e?.name === 'ArtifactNotFoundError' || /not found/i.test(String(e?.message));
}

export class ArtifactStore implements BaselineStore {
  readonly label = 'artifact';
  private loaded: RunResult[] | undefined;

  constructor(private readonly opts: ArtifactStoreOptions) {}

  private async workDir(): Promise<string> {
    const base = this.opts.workDir ?? tmpdir();
    await mkdir(base, { recursive: true });
    return mkdtemp(join(base, 'llm-perf-gate-'));
  }

  /**
   * This workflow's finished runs on the base branch that may hold the baseline, newest first.
   * Any conclusion: a push that lands a regression saves its baseline and then fails the job,
   * so "last successful run" would freeze the baseline for good; whether the run uploaded the
   * artifact is the real signal (an `error` verdict uploads nothing). Only BASELINE_EVENTS:
   * a pull_request run from a fork's branch named like the base branch never counts.
   */
  private async candidateRuns(): Promise<WorkflowRunRef[]> {
    const { octokit, owner, repo, baseBranch } = this.opts;
    const { data: { workflow_id: workflowId } } = await octokit.rest.actions.getWorkflowRun({ owner, repo, run_id: this.opts.runId });
    // One page per event (the API filters by one event at a time): a bounded search. The
    // event is checked again here so that an API ignoring the filter cannot let a PR run in.
    const runs: WorkflowRunRef[] = [];
    for (const event of BASELINE_EVENTS) {
      const { data } = await octokit.rest.actions.listWorkflowRuns({ owner, repo, workflow_id: workflowId, branch: baseBranch, event, status: 'completed', per_page: 30 });
      runs.push(...data.workflow_runs.filter((r) => r.event === event && r.id !== this.opts.runId));
    }
    return runs.sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
  }

  async load(): Promise<BaselineLoad> {
    const { owner, repo, baseBranch, artifactName } = this.opts;
    const warnings: string[] = [];
    this.loaded = [];
    let runs: WorkflowRunRef[];
    try {
      runs = await this.candidateRuns();
    } catch (err) {
      return { history: [], warnings: [`artifact baseline: cannot list this workflow's runs on ${baseBranch} (${describeApiError(err)}); the token needs actions: read`] };
    }
    if (runs.length === 0) {
      return { history: [], warnings: [`artifact baseline: no finished push, schedule or workflow_dispatch run of this workflow on ${baseBranch} yet; a push to ${baseBranch} stores one`] };
    }
    const searched = runs.slice(0, this.opts.maxRunsToSearch ?? 10);
    for (const run of searched) {
      const findBy = { token: this.opts.token, workflowRunId: run.id, repositoryOwner: owner, repositoryName: repo };
      let artifactId: number;
      try {
        artifactId = (await this.opts.client.getArtifact(artifactName, { findBy })).artifact.id;
      } catch (err) {
        if (isNotFound(err)) continue;
        warnings.push(`artifact baseline: cannot look up ${artifactName} in run ${run.id} (${describeApiError(err)})`);
        return { history: [], warnings };
      }
      const dir = await this.workDir();
      const { downloadPath } = await this.opts.client.downloadArtifact(artifactId, { path: dir, findBy });
      const where = `artifact ${artifactName} of run ${run.id}`;
      let text: string;
      try {
        text = await readFile(join(downloadPath ?? dir, HISTORY_FILE_NAME), 'utf8');
      } catch {
        warnings.push(`${where}: has no ${HISTORY_FILE_NAME}; ignored`);
        return { history: [], warnings };
      }
      // Data from another run: parsed and validated like any untrusted file.
      const parsed = parseHistoryText(text, where);
      warnings.push(...parsed.warnings);
      const ageDays = ((this.opts.now ?? Date.now)() - Date.parse(run.created_at)) / DAY_MS;
      const maxAge = this.opts.maxAgeDays ?? 30;
      if (ageDays > maxAge) {
        warnings.push(
          `the baseline is ${Math.floor(ageDays)} days old (run ${run.id} on ${baseBranch}); artifacts expire after 90 days by default — push to ${baseBranch} to refresh it, or use baseline: branch:NAME`,
        );
      }
      if (searched.indexOf(run) > 0) warnings.push(`the newest ${searched.indexOf(run)} finished run(s) on ${baseBranch} had no baseline artifact; using an older one`);
      this.loaded = parsed.history;
      return {
        history: parsed.history,
        warnings,
        provenance: { description: `artifact ${artifactName} of run ${run.run_number !== undefined ? `#${run.run_number}` : run.id} on ${baseBranch}`, url: run.html_url, createdAt: run.created_at },
      };
    }
    warnings.push(
      `artifact baseline: none of the last ${searched.length} finished runs on ${baseBranch} has the artifact ${artifactName} (expired, or never saved: save-baseline: auto saves on a push to the default branch, and a run whose verdict is error saves nothing)`,
    );
    return { history: [], warnings };
  }

  async save(result: RunResult): Promise<SaveOutcome> {
    const previous = this.loaded ?? (await this.load()).history;
    const history = appendToHistory(previous, result, { cap: this.opts.cap ?? 30 });
    const dir = await this.workDir();
    const file = join(dir, HISTORY_FILE_NAME);
    await writeFile(file, formatHistoryText(history), 'utf8');
    const up = await this.opts.client.uploadArtifact(this.opts.artifactName, [file], dir, {
      ...(this.opts.retentionDays ? { retentionDays: this.opts.retentionDays } : {}),
    });
    return { message: `baseline: uploaded artifact ${this.opts.artifactName} (${history.length} runs, id ${up.id ?? '?'})` };
  }
}
