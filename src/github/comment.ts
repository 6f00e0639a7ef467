// The sticky PR comment: one per workflow + job + `name`, found by a hidden marker among
// ALL comments of the pull request (every page) and only among those written by the
// token's own identity — or, when GitHub will not name it (an installation token), by a
// bot — then updated in place; created when there is none. A person's comment is never edited.
import type { Octokit } from '../baseline/octokit.js';
import { describeApiError, httpStatusOf } from '../baseline/octokit.js';

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
 * Who the token writes as: GET /user for a personal access token. An installation token
 * answers 403 there and writes as its app's bot — `github-actions[bot]` for the
 * GITHUB_TOKEN, `{app-slug}[bot]` for a GitHub App's token — which no call an installation
 * token may make tells: undefined (unknown), and any bot's marked comment counts as ours.
 */
export async function tokenAuthorLogin(octokit: Octokit): Promise<string | undefined> {
  try {
    const { data } = await octokit.rest.users.getAuthenticated();
    return data.login;
  } catch (err) {
    const status = httpStatusOf(err);
    if (status === 403 || status === 401 || status === 404) return undefined;
    throw err;
  }
}

export interface StickyTarget {
  owner: string;
  repo: string;
  issueNumber: number;
  marker: string;
  /**
   * Only comments by this login are ours to update; undefined (an installation token, see
   * tokenAuthorLogin): comments by any bot (`user.type` "Bot"), never by a person.
   */
  authorLogin: string | undefined;
}

export interface StickyResult {
  action: 'created' | 'updated';
  id: number;
  url: string;
}

function byOurAuthor(user: { login: string; type: string } | null | undefined, authorLogin: string | undefined): boolean {
  if (!user) return false;
  return authorLogin !== undefined ? user.login === authorLogin : user.type === 'Bot';
}

/** Our earlier comment, if any: the marker and our author; the newest one if there are several. */
export async function findStickyComment(octokit: Octokit, t: StickyTarget): Promise<{ id: number; url: string } | null> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner: t.owner, repo: t.repo, issue_number: t.issueNumber, per_page: 100 });
  let found: { id: number; url: string } | null = null;
  for (const c of comments) {
    if (byOurAuthor(c.user, t.authorLogin) && typeof c.body === 'string' && c.body.includes(t.marker)) found = { id: c.id, url: c.html_url };
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

const isWriteDenied = (err: unknown): boolean => httpStatusOf(err) === 403 || httpStatusOf(err) === 404;

/** Updates our comment in place, or creates it. Throws CommentWriteDenied on a 403/404 write (read-only token). */
export async function upsertStickyComment(octokit: Octokit, t: StickyTarget, body: string): Promise<StickyResult> {
  const text = stickyBody(t.marker, body);
  const existing = await findStickyComment(octokit, t);
  try {
    if (existing) {
      try {
        const { data } = await octokit.rest.issues.updateComment({ owner: t.owner, repo: t.repo, comment_id: existing.id, body: text });
        return { action: 'updated', id: data.id, url: data.html_url };
      } catch (err) {
        // With the author unknown, the comment found may be another bot's (github-actions[bot]'s
        // from before a switch to an App token) that this token may not edit: post our own
        // instead, which, being the newest, is the one found next time. A read-only token is
        // refused again on the create, and reported as denied there.
        if (t.authorLogin !== undefined || !isWriteDenied(err)) throw err;
      }
    }
    const { data } = await octokit.rest.issues.createComment({ owner: t.owner, repo: t.repo, issue_number: t.issueNumber, body: text });
    return { action: 'created', id: data.id, url: data.html_url };
  } catch (err) {
    if (isWriteDenied(err)) throw new CommentWriteDenied(describeApiError(err));
    throw err;
  }
}

/** The token may not write comments (fork PRs get a read-only GITHUB_TOKEN). */
export class CommentWriteDenied extends Error {
  override name = 'CommentWriteDenied';
}
