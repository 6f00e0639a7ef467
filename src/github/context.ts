// What the workflow run is about, read from the runner's environment and the event payload
// (GITHUB_EVENT_PATH). Read explicitly from `env` rather than @actions/github's import-time
// context, so tests can describe any event.
import { readFileSync } from 'node:fs';

export interface PullRequestInfo {
  number: number;
  baseRef: string;
  headSha?: string;
  /** The head is in another repository: the GITHUB_TOKEN is read-only there. */
  fromFork: boolean;
  labels: string[];
}

export interface ActionContext {
  eventName: string;
  owner: string;
  repo: string;
  runId: number;
  runAttempt: number;
  workflow: string;
  job: string;
  sha?: string;
  ref?: string;
  refName?: string;
  defaultBranch?: string;
  serverUrl: string;
  apiUrl: string;
  pullRequest?: PullRequestInfo;
  runnerTemp: string;
  workspace: string;
}

type Payload = Record<string, unknown>;

function readPayload(path: string | undefined): Payload {
  if (!path) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as Payload) : {};
  } catch {
    return {};
  }
}

const obj = (v: unknown): Payload => (v && typeof v === 'object' ? (v as Payload) : {});
const strOf = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function readActionContext(env: NodeJS.ProcessEnv = process.env): ActionContext {
  const payload = readPayload(env.GITHUB_EVENT_PATH);
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const pr = obj(payload.pull_request);
  let pullRequest: PullRequestInfo | undefined;
  if (typeof pr.number === 'number') {
    const base = obj(pr.base);
    const head = obj(pr.head);
    const baseRepo = strOf(obj(base.repo).full_name);
    const headRepo = strOf(obj(head.repo).full_name);
    pullRequest = {
      number: pr.number,
      baseRef: strOf(base.ref) ?? strOf(env.GITHUB_BASE_REF) ?? 'main',
      headSha: strOf(head.sha),
      fromFork: headRepo !== undefined && baseRepo !== undefined && headRepo !== baseRepo,
      labels: Array.isArray(pr.labels) ? pr.labels.map((l) => strOf(obj(l).name)).filter((n): n is string => n !== undefined) : [],
    };
  }
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    owner,
    repo,
    runId: Number(env.GITHUB_RUN_ID ?? 0),
    runAttempt: Number(env.GITHUB_RUN_ATTEMPT ?? 1),
    workflow: env.GITHUB_WORKFLOW ?? 'workflow',
    job: env.GITHUB_JOB ?? 'job',
    sha: strOf(env.GITHUB_SHA),
    ref: strOf(env.GITHUB_REF),
    refName: strOf(env.GITHUB_REF_NAME),
    defaultBranch: strOf(obj(payload.repository).default_branch),
    serverUrl: env.GITHUB_SERVER_URL ?? 'https://github.com',
    apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
    pullRequest,
    runnerTemp: env.RUNNER_TEMP ?? '',
    workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
  };
}

/** A push to the default branch: where `save-baseline: auto` saves. */
export function isPushToDefaultBranch(ctx: ActionContext): boolean {
  return ctx.eventName === 'push' && ctx.defaultBranch !== undefined && ctx.refName === ctx.defaultBranch;
}

/** The branch whose stored runs are the baseline: the PR's base, else this branch. */
export function baselineBranch(ctx: ActionContext): string {
  return ctx.pullRequest?.baseRef ?? ctx.refName ?? ctx.defaultBranch ?? 'main';
}

export function runUrl(ctx: ActionContext): string | undefined {
  if (!ctx.owner || !ctx.runId) return undefined;
  return `${ctx.serverUrl}/${ctx.owner}/${ctx.repo}/actions/runs/${ctx.runId}`;
}
