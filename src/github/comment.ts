// The sticky PR comment: one per workflow + job + `name`, found by a hidden marker among
// ALL comments of the pull request (every page) and only among those written by the
// token's own identity, then updated in place; created when there is none.
import type { Octokit } from '../baseline/octokit.js';
import { describeApiError, httpStatusOf } from '../baseline/octokit.js';

/** The login the GITHUB_TOKEN (an installation token of the Actions app) writes as. */
export const ACTIONS_BOT_LOGIN = 'github-actions[bot]';

/** GitHub refuses comment bodies over this many characters. */
export const MAX_COMMENT_CHARS = 65_536;

/** `llm-perf-gate:{workflow}:{job}:{name}`, with `--`, `<`, `>` and newlines removed so it stays inside one HTML comment. */
export function commentMarkerText(workflow: string, job: string, name: string): string {
  const clean = (s: string) => s.replace(/--+/g, '-').replace(/[<>\n\r]/g, ' ').trim();
  return `llm-perf-gate:${clean(workflow)}:${clean(job)}:${clean(name)}`;
}

/** The hidden marker of the sticky comment: `<!-- llm-perf-gate:{workflow}:{job}:{name} -->`. */
export function commentMarker(workflow: string, job: string, name: string): string {
  return `<!-- ${commentMarkerText(workflow, job, name)} -->`;
}

/**
 * Who the token writes as: GET /user for a personal access token; an installation token
 * (the GITHUB_TOKEN) answers 403 there and writes as github-actions[bot].
 */
export async function tokenAuthorLogin(octokit: Octokit): Promise<string> {
  try {
    const { data } = await octokit.rest.users.getAuthenticated();
    return data.login;
  } catch (err) {
    const status = httpStatusOf(err);
    if (status === 403 || status === 401 || status === 404) return ACTIONS_BOT_LOGIN;
    throw err;
  }
}

export interface StickyTarget {
  owner: string;
  repo: string;
  issueNumber: number;
  marker: string;
  /** Only comments by this login are ours to update. */
  authorLogin: string;
}

export interface StickyResult {
  action: 'created' | 'updated';
  id: number;
  url: string;
}

/** Our earlier comment, if any: the marker and our author; the newest one if there are several. */
export async function findStickyComment(octokit: Octokit, t: StickyTarget): Promise<{ id: number; url: string } | null> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner: t.owner, repo: t.repo, issue_number: t.issueNumber, per_page: 100 });
  let found: { id: number; url: string } | null = null;
  for (const c of comments) {
    if (c.user?.login === t.authorLogin && typeof c.body === 'string' && c.body.includes(t.marker)) found = { id: c.id, url: c.html_url };
  }
  return found;
}

/** Puts the marker first and keeps the body under GitHub's limit. */
export function stickyBody(marker: string, body: string): string {
  const full = body.includes(marker) ? body : `${marker}\n${body}`;
  if (full.length <= MAX_COMMENT_CHARS) return full;
  const note = '\n\n… (truncated: the full report is in the job summary and the results artifact)';
  return full.slice(0, MAX_COMMENT_CHARS - note.length) + note;
}

/** Updates our comment in place, or creates it. Throws CommentWriteDenied on a 403/404 write (read-only token). */
export async function upsertStickyComment(octokit: Octokit, t: StickyTarget, body: string): Promise<StickyResult> {
  const text = stickyBody(t.marker, body);
  const existing = await findStickyComment(octokit, t);
  try {
    if (existing) {
      const { data } = await octokit.rest.issues.updateComment({ owner: t.owner, repo: t.repo, comment_id: existing.id, body: text });
      return { action: 'updated', id: data.id, url: data.html_url };
    }
    const { data } = await octokit.rest.issues.createComment({ owner: t.owner, repo: t.repo, issue_number: t.issueNumber, body: text });
    return { action: 'created', id: data.id, url: data.html_url };
  } catch (err) {
    const status = httpStatusOf(err);
    if (status === 403 || status === 404) throw new CommentWriteDenied(describeApiError(err));
    throw err;
  }
}

/** The token may not write comments (fork PRs get a read-only GITHUB_TOKEN). */
export class CommentWriteDenied extends Error {
  override name = 'CommentWriteDenied';
}
